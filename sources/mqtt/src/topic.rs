//! Topic templates: MQTT topic filters whose `{name}` levels capture the
//! topic level they match, and name templates that build a plant or a tag
//! from those captures.
//!
//! Matching follows MQTT 3.1.1 section 4.7: `+` matches exactly one level
//! (an empty one too), a final `#` matches the parent level and any number
//! of levels below it, and a filter that starts with a wildcard does not
//! match topics that start with `$` (`$SYS/...`).

/// The capture name that stands for the whole topic in a [`NameTemplate`].
pub const TOPIC_CAPTURE: &str = "topic";

#[derive(Clone, Debug, PartialEq, Eq)]
enum Level {
    Literal(String),
    /// `+`, with the index of its capture if it is a `{name}`.
    One(Option<usize>),
    /// A final `#`.
    Rest,
}

/// A topic filter with named single-level captures, such as
/// `steam/{plant}/traps/{tag}/status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicTemplate {
    /// The filter sent to the broker (`steam/+/traps/+/status`, with a
    /// `$share/<group>/` prefix if there was one).
    filter: String,
    /// The levels that topics are matched against (the prefix removed).
    levels: Vec<Level>,
    /// The capture names, in the order of their levels.
    names: Vec<String>,
}

impl TopicTemplate {
    /// Parses a template; the error says what is wrong with it.
    pub fn parse(template: &str) -> Result<TopicTemplate, String> {
        if template.is_empty() {
            return Err("the topic must not be empty".into());
        }
        if template.len() > 65_535 {
            return Err("the topic is longer than MQTT allows".into());
        }
        if template.contains('\0') {
            return Err("the topic must not contain NUL".into());
        }
        let mut parts: Vec<&str> = template.split('/').collect();
        let mut prefix = String::new();
        if parts.first() == Some(&"$share") {
            let group = parts.get(1).copied().unwrap_or("");
            if group.is_empty() || group.contains(['+', '#', '{', '}']) || parts.len() < 3 {
                return Err(
                    "a shared subscription is `$share/<group>/<filter>` with a plain group name"
                        .into(),
                );
            }
            prefix = format!("$share/{group}/");
            parts.drain(..2);
        }
        let count = parts.len();
        let mut levels = Vec::with_capacity(count);
        let mut names: Vec<String> = Vec::new();
        let mut filter_levels = Vec::with_capacity(count);
        for (index, part) in parts.iter().enumerate() {
            let level = match *part {
                "+" => Level::One(None),
                "#" if index + 1 == count => Level::Rest,
                "#" => return Err("`#` may only be the last level of a topic filter".into()),
                _ if part.starts_with('{') && part.ends_with('}') && part.len() > 2 => {
                    let name = &part[1..part.len() - 1];
                    check_name(name)?;
                    if name == TOPIC_CAPTURE {
                        return Err(format!(
                            "`{{{TOPIC_CAPTURE}}}` stands for the whole topic; name the level otherwise"
                        ));
                    }
                    if names.iter().any(|known| known == name) {
                        return Err(format!("`{{{name}}}` is captured twice"));
                    }
                    names.push(name.to_owned());
                    Level::One(Some(names.len() - 1))
                }
                _ if part.contains(['+', '#']) => {
                    return Err(format!(
                        "`{part}`: the wildcards + and # must stand alone in a topic level"
                    ));
                }
                _ if part.contains(['{', '}']) => {
                    return Err(format!(
                        "`{part}`: a capture `{{name}}` must be a whole topic level"
                    ));
                }
                _ => Level::Literal((*part).to_owned()),
            };
            filter_levels.push(match &level {
                Level::Literal(_) => *part,
                Level::One(_) => "+",
                Level::Rest => "#",
            });
            levels.push(level);
        }
        Ok(TopicTemplate {
            filter: format!("{prefix}{}", filter_levels.join("/")),
            levels,
            names,
        })
    }

    /// The MQTT topic filter to subscribe to.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// The capture names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The index of a capture by name.
    pub fn capture_index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|known| known == name)
    }

    /// Whether `topic` matches, and its captured levels (one per name, in order).
    pub fn matches<'t>(&self, topic: &'t str) -> Option<Vec<&'t str>> {
        let mut captures = vec![""; self.names.len()];
        let wildcard_first = matches!(self.levels.first(), Some(Level::One(_) | Level::Rest));
        if wildcard_first && topic.starts_with('$') {
            return None;
        }
        let mut topic_levels = topic.split('/');
        for level in &self.levels {
            match level {
                Level::Rest => return Some(captures),
                Level::Literal(text) => {
                    if topic_levels.next()? != text {
                        return None;
                    }
                }
                Level::One(capture) => {
                    let value = topic_levels.next()?;
                    if let Some(slot) = capture.and_then(|index| captures.get_mut(index)) {
                        *slot = value;
                    }
                }
            }
        }
        topic_levels.next().is_none().then_some(captures)
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(format!(
            "`{{{name}}}`: a capture name is letters, digits and _, starting with a letter"
        ))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(String),
}

/// Text with `{name}` placeholders: `"{network}.generation"`, `"north"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameTemplate {
    pieces: Vec<Piece>,
}

impl NameTemplate {
    /// Parses a template; the error says what is wrong with it.
    pub fn parse(template: &str) -> Result<NameTemplate, String> {
        let mut pieces = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err(format!("`{template}`: `}}` without `{{`"));
            }
            let close = rest[open..]
                .find('}')
                .map(|offset| open + offset)
                .ok_or_else(|| format!("`{template}`: `{{` without `}}`"))?;
            let name = &rest[open + 1..close];
            check_name(name).map_err(|message| format!("`{template}`: {message}"))?;
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            pieces.push(Piece::Field(name.to_owned()));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        if pieces.is_empty() {
            return Err("must not be empty".into());
        }
        Ok(NameTemplate { pieces })
    }

    /// The placeholders, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|piece| match piece {
            Piece::Field(name) => Some(name.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// A placeholder that `topic` does not capture (`{topic}` is always there).
    pub fn missing_capture(&self, topic: &TopicTemplate) -> Option<String> {
        self.fields()
            .find(|name| *name != TOPIC_CAPTURE && topic.capture_index(name).is_none())
            .map(str::to_owned)
    }

    /// Whether the template has no placeholder (a constant).
    pub fn constant(&self) -> Option<&str> {
        match self.pieces.as_slice() {
            [Piece::Text(text)] => Some(text),
            _ => None,
        }
    }

    /// Fills the placeholders; `None` if `lookup` knows one not.
    pub fn render<'a>(&self, mut lookup: impl FnMut(&str) -> Option<&'a str>) -> Option<String> {
        let mut out = String::new();
        self.render_into(&mut out, |name, out| {
            out.push_str(lookup(name)?);
            Some(())
        })?;
        Some(out)
    }

    /// Fills the placeholders through `write`, which appends a field's text
    /// to the output (or fails with `None`).
    pub fn render_into(
        &self,
        out: &mut String,
        mut write: impl FnMut(&str, &mut String) -> Option<()>,
    ) -> Option<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Field(name) => write(name, out)?,
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_become_plus_in_the_filter() {
        let template = TopicTemplate::parse("steam/{plant}/traps/{tag}/status").unwrap();
        assert_eq!(template.filter(), "steam/+/traps/+/status");
        assert_eq!(template.names(), ["plant", "tag"]);
        assert_eq!(
            template.matches("steam/north/traps/T-101/status"),
            Some(vec!["north", "T-101"])
        );
        assert_eq!(template.matches("steam/north/traps/T-101/status/x"), None);
        assert_eq!(template.matches("steam/north/traps/T-101"), None);
        assert_eq!(template.matches("steam/north/valves/V1/status"), None);
        // `+` matches an empty level too (MQTT 4.7.1.3).
        assert_eq!(template.matches("steam//traps//status"), Some(vec!["", ""]));
    }

    #[test]
    fn hash_matches_the_parent_and_below() {
        let template = TopicTemplate::parse("steam/{plant}/#").unwrap();
        assert_eq!(template.filter(), "steam/+/#");
        assert_eq!(template.matches("steam/north"), Some(vec!["north"]));
        assert_eq!(template.matches("steam/north/a/b/c"), Some(vec!["north"]));
        assert_eq!(template.matches("steam"), None);
        let all = TopicTemplate::parse("#").unwrap();
        assert!(all.matches("a/b").is_some());
        assert!(all.matches("$SYS/broker/uptime").is_none());
        let plus = TopicTemplate::parse("+/x").unwrap();
        assert!(plus.matches("$SYS/x").is_none());
        assert!(
            TopicTemplate::parse("$SYS/#")
                .unwrap()
                .matches("$SYS/x")
                .is_some()
        );
    }

    #[test]
    fn shared_subscriptions_keep_their_prefix_only_in_the_filter() {
        let template = TopicTemplate::parse("$share/steamflow/steam/{plant}/+").unwrap();
        assert_eq!(template.filter(), "$share/steamflow/steam/+/+");
        assert_eq!(template.matches("steam/north/x"), Some(vec!["north"]));
        assert!(TopicTemplate::parse("$share/+/a").is_err());
        assert!(TopicTemplate::parse("$share/g").is_err());
    }

    #[test]
    fn malformed_templates_are_refused_with_a_reason() {
        for (bad, why) in [
            ("", "empty"),
            ("a/#/b", "last level"),
            ("a/b+/c", "stand alone"),
            ("a/x{tag}/c", "whole topic level"),
            ("a/{tag}/{tag}", "twice"),
            ("a/{1x}", "capture name"),
            ("a/{topic}", "whole topic"),
        ] {
            let error = TopicTemplate::parse(bad).err().unwrap_or_default();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn name_templates_render_captures_and_text() {
        let template = NameTemplate::parse("{network}.generation").unwrap();
        let topic = TopicTemplate::parse("steam/{plant}/{network}/generation").unwrap();
        assert_eq!(template.missing_capture(&topic), None);
        assert_eq!(
            template.render(|name| (name == "network").then_some("hp")),
            Some("hp.generation".into())
        );
        assert_eq!(template.render(|_| None), None);
        let constant = NameTemplate::parse("north").unwrap();
        assert_eq!(constant.constant(), Some("north"));
        let tag = NameTemplate::parse("{tag}").unwrap();
        assert_eq!(tag.missing_capture(&topic), Some("tag".into()));
        assert_eq!(
            NameTemplate::parse("{topic}")
                .unwrap()
                .missing_capture(&topic),
            None
        );
        for bad in ["", "{", "a}", "{a b}", "{}"] {
            assert!(NameTemplate::parse(bad).is_err(), "{bad}");
        }
    }
}
