//! Config errors: each with the key path it is about, and where in the file.

use std::fmt;
use std::ops::Range;

/// One step of a key path: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A key of a table.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// Where a value sits in the config, such as `plants.north.traps[3].orifice_mm`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyPath(Vec<Segment>);

impl KeyPath {
    /// The document root.
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }

    /// This path extended by a table key.
    pub fn key(&self, key: &str) -> Self {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.to_owned()));
        path
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }

    /// This path extended by a relative key such as `traps[3].orifice_mm`
    /// (plain keys and `[n]` indices; an empty string adds nothing).
    pub fn join(&self, relative: &str) -> Self {
        let mut path = self.clone();
        for part in relative.split('.').filter(|p| !p.is_empty()) {
            let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
            if !key.is_empty() {
                path.0.push(Segment::Key(key.to_owned()));
            }
            while let Some((index, after)) = rest.split_once(']') {
                match index.parse() {
                    Ok(i) => path.0.push(Segment::Index(i)),
                    Err(_) => path.0.push(Segment::Key(index.to_owned())),
                }
                rest = after.strip_prefix('[').unwrap_or(after);
            }
        }
        path
    }

    /// The steps of the path.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// True when `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &KeyPath) -> bool {
        self.0.starts_with(&other.0)
    }

    pub(crate) fn push(&mut self, segment: Segment) {
        self.0.push(segment);
    }
}

/// A key can be written bare in TOML when it is made of these characters.
fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for segment in &self.0 {
            match segment {
                Segment::Key(key) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    if is_bare_key(key) {
                        f.write_str(key)?;
                    } else {
                        write!(f, "{key:?}")?;
                    }
                }
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
            first = false;
        }
        if first {
            f.write_str("(top level)")?;
        }
        Ok(())
    }
}

/// One error of a config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The key it is about.
    pub path: KeyPath,
    /// What is wrong.
    pub message: String,
    /// 1-based line and column of the key or value, when the file has it.
    pub position: Option<(usize, usize)>,
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

impl Diagnostic {
    pub(crate) fn new(
        text: &str,
        path: KeyPath,
        message: impl Into<String>,
        span: Option<Range<usize>>,
    ) -> Self {
        Diagnostic {
            path,
            message: message.into(),
            position: span.map(|s| line_column(text, s.start)),
        }
    }
}

/// Every error found in a config file. Displays one error per line as
/// `FILE:LINE:COLUMN: KEY.PATH: message`, sorted by position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors {
    /// The file name used in messages.
    pub file: String,
    /// The errors, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl ConfigErrors {
    pub(crate) fn new(file: &str, mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by_key(|d| d.position.unwrap_or((usize::MAX, usize::MAX)));
        diagnostics.dedup();
        ConfigErrors {
            file: file.to_owned(),
            diagnostics,
        }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match d.position {
                Some((line, column)) => write!(
                    f,
                    "{}:{line}:{column}: {}: {}",
                    self.file, d.path, d.message
                )?,
                None => write!(f, "{}: {}: {}", self.file, d.path, d.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_the_config() {
        let path = KeyPath::root()
            .key("plants")
            .key("north")
            .key("traps")
            .index(3)
            .key("orifice_mm");
        assert_eq!(path.to_string(), "plants.north.traps[3].orifice_mm");
        assert_eq!(
            KeyPath::root().key("sinks").key("a b").to_string(),
            "sinks.\"a b\""
        );
        assert_eq!(
            KeyPath::root()
                .key("plants")
                .key("north")
                .join("traps[3].orifice_mm"),
            path
        );
        assert_eq!(KeyPath::root().join("a[1][2].b").to_string(), "a[1][2].b");
    }

    #[test]
    fn positions_are_one_based_characters() {
        let text = "a = 1\nβ = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('"').unwrap_or(0)), (2, 5));
    }
}
