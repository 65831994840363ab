//! `${ENV_VAR}` substitution in string values, so that secrets live in the
//! environment and never in the file.
//!
//! In any string value, `${NAME}` is replaced by the variable's value,
//! `${NAME:-fallback}` by the fallback when the variable is unset or empty,
//! and `$$` by a literal `$`. A variable that is unset with no fallback, or
//! a malformed reference, is an error at the value's key. Substitution runs
//! on values only, before they are typed, so a number can come from the
//! environment only in keys that take strings.

use std::borrow::Cow;

use toml::de::DeValue;

use super::diagnostic::KeyPath;
use super::load::{Collector, Value};

/// Looks a variable up: the process environment, or a fixed map in tests.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Substitutes every string value under `value` (found at `path`), reporting
/// each error to `collector`.
pub(crate) fn substitute(
    value: &mut Value<'_>,
    path: &KeyPath,
    env: EnvLookup<'_>,
    collector: &mut Collector<'_>,
) {
    let span = value.span();
    match value.get_mut() {
        DeValue::String(text) => match interpolate(text, env) {
            Ok(Some(replaced)) => *text = Cow::Owned(replaced),
            Ok(None) => {}
            Err(message) => collector.at_span(path.clone(), message, Some(span)),
        },
        DeValue::Array(array) => {
            for (i, item) in array.iter_mut().enumerate() {
                substitute(item, &path.index(i), env, collector);
            }
        }
        DeValue::Table(table) => {
            for (key, item) in table.iter_mut() {
                substitute(item, &path.key(key.get_ref()), env, collector);
            }
        }
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) | DeValue::Datetime(_) => {}
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The string with its references replaced; `None` when it has none.
pub(crate) fn interpolate(text: &str, env: EnvLookup<'_>) -> Result<Option<String>, String> {
    if !text.contains('$') {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(rest.get(..dollar).unwrap_or_default());
        let after = rest.get(dollar + 1..).unwrap_or_default();
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(reference) = after.strip_prefix('{') {
            let Some(close) = reference.find('}') else {
                return Err(format!("`${{` without a closing `}}` in \"{text}\""));
            };
            let inner = reference.get(..close).unwrap_or_default();
            let (name, fallback) = match inner.split_once(":-") {
                Some((name, fallback)) => (name, Some(fallback)),
                None => (inner, None),
            };
            if !is_name(name) {
                return Err(format!(
                    "`${{{inner}}}` is not a variable reference: names are letters, digits and _"
                ));
            }
            match (env(name).filter(|v| !v.is_empty()), fallback) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(fallback)) => out.push_str(fallback),
                (None, None) => {
                    return Err(format!(
                        "environment variable `{name}` is not set (write `${{{name}:-fallback}}` for a default)"
                    ));
                }
            }
            rest = reference.get(close + 1..).unwrap_or_default();
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("s3cret".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn references_are_replaced() {
        assert_eq!(
            interpolate("Bearer ${TOKEN}", &env),
            Ok(Some("Bearer s3cret".into()))
        );
        assert_eq!(
            interpolate("${MISSING:-local}/${TOKEN}", &env),
            Ok(Some("local/s3cret".into()))
        );
        assert_eq!(interpolate("${EMPTY:-x}", &env), Ok(Some("x".into())));
        assert_eq!(
            interpolate("cost $$5 and $x", &env),
            Ok(Some("cost $5 and $x".into()))
        );
        assert_eq!(interpolate("plain", &env), Ok(None));
    }

    #[test]
    fn bad_references_are_errors() {
        assert!(interpolate("${MISSING}", &env).is_err_and(|e| e.contains("`MISSING` is not set")));
        assert!(interpolate("${TOKEN", &env).is_err());
        assert!(interpolate("${1X}", &env).is_err());
    }
}
