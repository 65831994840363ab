//! Field paths into JSON payloads: a JSON pointer (RFC 6901, `/data/value`,
//! `~1` for `/` and `~0` for `~` in a key) or a dotted path (`data.value`,
//! `points.0.v`). A step that is a number indexes an array and is a key of
//! an object.

use serde_json::Value;

/// A compiled field path; the empty path is "off" (finds nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    steps: Vec<String>,
    off: bool,
}

impl FieldPath {
    /// Parses a path; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        if text.is_empty() {
            return Ok(FieldPath {
                steps: Vec::new(),
                off: true,
            });
        }
        let steps = if let Some(pointer) = text.strip_prefix('/') {
            pointer
                .split('/')
                .map(unescape_pointer)
                .collect::<Result<_, _>>()?
        } else {
            let steps: Vec<String> = text.split('.').map(str::to_owned).collect();
            if steps.iter().any(String::is_empty) {
                return Err(format!(
                    "`{text}`: a dotted path has no empty steps (write a JSON pointer, `/a//b`, for empty keys)"
                ));
            }
            steps
        };
        Ok(FieldPath { steps, off: false })
    }

    /// Whether the path is off (an empty string in the config).
    pub fn is_off(&self) -> bool {
        self.off
    }

    /// The value at the path, if there is one.
    pub fn find<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        if self.off {
            return None;
        }
        self.steps.iter().try_fold(root, |node, step| match node {
            Value::Object(map) => map.get(step),
            Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        })
    }

    /// The path as written in messages (`data.value`).
    pub fn display(&self) -> String {
        self.steps.join(".")
    }
}

fn unescape_pointer(token: &str) -> Result<String, String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return Err(format!("`{token}`: in a JSON pointer `~` is written `~0`")),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_and_dotted_paths_find_the_same_field() {
        let payload =
            json!({"data": {"value": 7.5, "points": [{"v": 1}, {"v": 2}]}, "a/b": {"~": 3}});
        for path in ["/data/value", "data.value"] {
            assert_eq!(
                FieldPath::parse(path).unwrap().find(&payload),
                Some(&json!(7.5))
            );
        }
        for path in ["/data/points/1/v", "data.points.1.v"] {
            assert_eq!(
                FieldPath::parse(path).unwrap().find(&payload),
                Some(&json!(2))
            );
        }
        assert_eq!(
            FieldPath::parse("/a~1b/~0").unwrap().find(&payload),
            Some(&json!(3))
        );
        assert_eq!(
            FieldPath::parse("data.nothing").unwrap().find(&payload),
            None
        );
        assert_eq!(
            FieldPath::parse("data.value.x").unwrap().find(&payload),
            None
        );
        assert_eq!(
            FieldPath::parse("data.points.9").unwrap().find(&payload),
            None
        );
    }

    #[test]
    fn the_empty_path_is_off() {
        let off = FieldPath::parse("").unwrap();
        assert!(off.is_off());
        assert_eq!(off.find(&json!({"": 1})), None);
    }

    #[test]
    fn malformed_paths_are_refused() {
        assert!(FieldPath::parse("a..b").is_err());
        assert!(FieldPath::parse(".a").is_err());
        assert!(FieldPath::parse("/a~2").is_err());
    }
}
