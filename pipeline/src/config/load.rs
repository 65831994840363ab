//! Reading typed config out of the spanned TOML tree, collecting every error.
//!
//! Serde stops at the first error of a value. To report them all, a value
//! that fails is repaired and deserialized again, until it passes: an
//! unknown key is removed; a missing key is filled with a placeholder; a
//! value of the wrong type is replaced by a placeholder of a type that fits.
//! Only the first error at each key is reported, none that a placeholder
//! caused, and a repaired value is never used: it only lets serde go on to
//! the next genuine error. Key paths come from `serde_path_to_error`, lines
//! from the spans of the TOML tree.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue, ValueDeserializer};

use super::diagnostic::{Diagnostic, KeyPath, Segment};

/// A value of the TOML tree with its byte span in the file.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// Most repairs of one value before giving up on finding more errors in it.
const MAX_REPAIRS: usize = 200;

/// Collects diagnostics against one file's text.
pub(crate) struct Collector<'t> {
    text: &'t str,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'t> Collector<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Collector {
            text,
            diagnostics: Vec::new(),
        }
    }

    /// Records an error at a byte span of the file.
    pub(crate) fn at_span(
        &mut self,
        path: KeyPath,
        message: impl Into<String>,
        span: Option<Range<usize>>,
    ) {
        self.diagnostics
            .push(Diagnostic::new(self.text, path, message, span));
    }

    /// Records an error about `path`, located by looking the path up in `root`
    /// (the document, whose own path is empty).
    pub(crate) fn at_path(&mut self, root: &Value<'_>, path: KeyPath, message: impl Into<String>) {
        let span = span_of(root, &path);
        self.at_span(path, message, span);
    }

    /// Deserializes `value` (found at `base`) as `T`, recording every error.
    /// `None` when there was any.
    pub(crate) fn deserialize<T: DeserializeOwned>(
        &mut self,
        value: &Value<'_>,
        base: &KeyPath,
    ) -> Option<T> {
        let mut work = value.clone();
        let mut placeholders: Vec<KeyPath> = Vec::new();
        let mut reported: HashSet<KeyPath> = HashSet::new();
        for _ in 0..MAX_REPAIRS {
            let Some(failure) = first_error::<T>(&work) else {
                return if reported.is_empty() && placeholders.is_empty() {
                    attempt(&work)
                } else {
                    None
                };
            };
            let target = failure.target();
            let caused_by_placeholder = placeholders.iter().any(|p| target.starts_with(p));
            if !caused_by_placeholder && reported.insert(target.clone()) {
                let span = match failure.problem {
                    Problem::Missing(_) => span_of(value, &failure.path),
                    Problem::Unknown(_) => span_of(value, &target),
                    Problem::Other => failure.span.clone().or_else(|| span_of(value, &target)),
                };
                let mut full = base.clone();
                for segment in target.segments() {
                    full.push(segment.clone());
                }
                self.at_span(full, failure.describe(), span);
            }
            let repaired = match failure.problem {
                Problem::Unknown(_) => remove(&mut work, &target).is_some(),
                Problem::Missing(_) | Problem::Other => {
                    let patched = fill::<T>(&mut work, &target, &failure.message);
                    if patched {
                        placeholders.push(target.clone());
                    }
                    patched || remove(&mut work, &target).is_some()
                }
            };
            if !repaired {
                return None;
            }
        }
        None
    }
}

/// What kind of error serde reported.
#[derive(Clone, Debug, PartialEq)]
enum Problem {
    /// `unknown field `x``: a key the type does not have.
    Unknown(String),
    /// `missing field `x``: a required key is absent.
    Missing(String),
    /// Anything else: wrong type, unknown variant, invalid value.
    Other,
}

struct Failure {
    /// Where serde was when it failed, relative to the value.
    path: KeyPath,
    problem: Problem,
    message: String,
    span: Option<Range<usize>>,
}

/// The text between the first pair of backticks after `prefix`.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    message.strip_prefix(prefix)?.split('`').next()
}

impl Failure {
    /// The key the error is about: the unknown or missing key itself, or where serde was.
    fn target(&self) -> KeyPath {
        match &self.problem {
            Problem::Missing(field) => self.path.key(field),
            Problem::Unknown(field) => match self.path.segments().last() {
                Some(Segment::Key(last)) if last == field => self.path.clone(),
                _ => self.path.key(field),
            },
            Problem::Other => self.path.clone(),
        }
    }

    fn describe(&self) -> String {
        match &self.problem {
            Problem::Missing(field) => format!("missing required key `{field}`"),
            Problem::Unknown(_) => self.message.replacen("unknown field", "unknown key", 1),
            Problem::Other => self.message.clone(),
        }
    }
}

fn attempt<T: DeserializeOwned>(work: &Value<'_>) -> Option<T> {
    serde_path_to_error::deserialize::<_, T>(ValueDeserializer::from(work.clone())).ok()
}

fn first_error<T: DeserializeOwned>(work: &Value<'_>) -> Option<Failure> {
    let error =
        serde_path_to_error::deserialize::<_, T>(ValueDeserializer::from(work.clone())).err()?;
    let mut path = KeyPath::root();
    for segment in error.path() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => path.push(Segment::Index(*index)),
            serde_path_to_error::Segment::Map { key } => path.push(Segment::Key(key.clone())),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    let inner = error.into_inner();
    let message = inner.message().trim().to_owned();
    let problem = if let Some(field) = quoted_after(&message, "unknown field `") {
        Problem::Unknown(field.to_owned())
    } else if let Some(field) = quoted_after(&message, "missing field `") {
        Problem::Missing(field.to_owned())
    } else {
        Problem::Other
    };
    Some(Failure {
        path,
        problem,
        message,
        span: inner.span(),
    })
}

/// Placeholder values to try where a value is missing or of the wrong type:
/// a variant the error message names first, then one of each TOML type.
fn placeholders(message: &str) -> Vec<Value<'static>> {
    let at = |value| Spanned::new(0..0, value);
    let mut out = Vec::new();
    if let Some(expected) = message
        .split("expected one of `")
        .nth(1)
        .or_else(|| message.split("expected `").nth(1))
        && let Some(variant) = expected.split('`').next()
    {
        out.push(at(DeValue::String(Cow::Owned(variant.to_owned()))));
    }
    out.push(at(DeValue::String(Cow::Borrowed(""))));
    out.extend(
        ["0", "0.0"]
            .into_iter()
            .filter_map(|literal| DeValue::parse(literal).ok()),
    );
    out.push(at(DeValue::Boolean(false)));
    out.push(at(DeValue::Array(DeArray::default())));
    out.push(at(DeValue::Table(DeTable::new())));
    out
}

/// Puts the first placeholder at `target` after which serde no longer fails there.
fn fill<T: DeserializeOwned>(work: &mut Value<'_>, target: &KeyPath, message: &str) -> bool {
    for candidate in placeholders(message) {
        if !set(work, target, candidate) {
            return false;
        }
        match first_error::<T>(work) {
            Some(next) if next.target().starts_with(target) => continue,
            _ => return true,
        }
    }
    false
}

/// The value at `path` (or the deepest that exists on the way) and the span
/// of the key that holds it, if it exists and is held by a key.
fn lookup<'v, 'i>(root: &'v Value<'i>, path: &KeyPath) -> (&'v Value<'i>, Option<Range<usize>>) {
    let mut current = root;
    let mut key_span = None;
    for segment in path.segments() {
        let next = match (segment, current.get_ref()) {
            (Segment::Key(key), DeValue::Table(table)) => table
                .get_key_value(key.as_str())
                .map(|(k, v)| (v, Some(k.span()))),
            (Segment::Index(i), DeValue::Array(array)) => array.get(*i).map(|v| (v, None)),
            _ => None,
        };
        match next {
            Some((value, span)) => {
                current = value;
                key_span = span;
            }
            None => return (current, None),
        }
    }
    (current, key_span)
}

/// Where `path` is in the file: its key, else its value, else the nearest
/// enclosing table that exists.
pub(crate) fn span_of(root: &Value<'_>, path: &KeyPath) -> Option<Range<usize>> {
    let (value, key_span) = lookup(root, path);
    Some(key_span.unwrap_or_else(|| value.span()))
}

/// The table or array holding the last step of `path`, mutably.
fn parent_mut<'v, 'i>(
    root: &'v mut Value<'i>,
    path: &KeyPath,
) -> Option<(&'v mut DeValue<'i>, Segment)> {
    let (last, init) = path.segments().split_last()?;
    let mut current = root.get_mut();
    for segment in init {
        current = match (segment, current) {
            (Segment::Key(key), DeValue::Table(table)) => table.get_mut(key.as_str())?.get_mut(),
            (Segment::Index(i), DeValue::Array(array)) => array.get_mut(*i)?.get_mut(),
            _ => return None,
        };
    }
    Some((current, last.clone()))
}

/// Sets the value at `path`, creating the key when absent.
fn set<'i>(root: &mut Value<'i>, path: &KeyPath, value: Value<'i>) -> bool {
    let Some((parent, last)) = parent_mut(root, path) else {
        return false;
    };
    match (last, parent) {
        (Segment::Key(key), DeValue::Table(table)) => {
            let span = value.span();
            table.insert(Spanned::new(span, Cow::Owned(key)), value);
            true
        }
        (Segment::Index(i), DeValue::Array(array)) => match array.get_mut(i) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Removes the key at `path` (array elements are never removed: that would
/// shift the indices of later errors).
pub(crate) fn remove<'i>(root: &mut Value<'i>, path: &KeyPath) -> Option<Value<'i>> {
    match parent_mut(root, path)? {
        (DeValue::Table(table), Segment::Key(key)) => table.remove(key.as_str()),
        _ => None,
    }
}
