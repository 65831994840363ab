//! `steamflow calc batch`: JSON Lines in, one JSON line out per line in, in order.
//!
//! Input line: `{"id": <any>, "calc": "<name>", <inputs>}`.
//! Output line: `{"id": <same>, "ok": true, <outputs>}` or
//! `{"id": <same>, "ok": false, "error": "<why>"}`. A bad line (not JSON,
//! unknown calc, missing input, out of range, even an empty line) gets an
//! error line and the batch goes on.

use std::io::{self, BufRead, Write};

use serde_json::{Map, Value};

/// Tally of a batch run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchSummary {
    pub lines: u64,
    pub failed: u64,
}

/// Answers one input line.
pub fn answer(line: &str) -> Value {
    let mut reply = Map::new();
    if line.trim().is_empty() {
        return failure(&mut reply, Value::Null, "empty line".to_owned());
    }
    let object = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(object)) => object,
        Ok(other) => {
            let why = format!(
                "line is JSON but not an object: {}",
                super::inputs::kind_of(&other)
            );
            return failure(&mut reply, Value::Null, why);
        }
        Err(error) => {
            return failure(
                &mut reply,
                Value::Null,
                format!("line is not JSON: {error}"),
            );
        }
    };
    let id = object.get("id").cloned().unwrap_or(Value::Null);
    let name = match object.get("calc") {
        Some(Value::String(name)) => name.as_str(),
        Some(_) => {
            return failure(
                &mut reply,
                id,
                "`calc` must be a string naming a calculator".to_owned(),
            );
        }
        None => return failure(&mut reply, id, "line has no `calc`".to_owned()),
    };
    match super::evaluate(name, &object) {
        Ok(outputs) => {
            reply.insert("id".to_owned(), id);
            reply.insert("ok".to_owned(), Value::Bool(true));
            reply.extend(outputs.into_map());
            Value::Object(reply)
        }
        Err(error) => failure(&mut reply, id, error.0),
    }
}

fn failure(reply: &mut Map<String, Value>, id: Value, error: String) -> Value {
    reply.insert("id".to_owned(), id);
    reply.insert("ok".to_owned(), Value::Bool(false));
    reply.insert("error".to_owned(), Value::String(error));
    Value::Object(std::mem::take(reply))
}

/// Reads JSON Lines until end of input and writes one answer per line.
///
/// Lines that are not valid UTF-8 are answered with an error like any bad line.
pub fn run(input: impl BufRead, mut output: impl Write) -> io::Result<BatchSummary> {
    let mut summary = BatchSummary::default();
    for line in input.split(b'\n') {
        let line = line?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        let reply = match std::str::from_utf8(line) {
            Ok(text) => answer(text),
            Err(_) => failure(
                &mut Map::new(),
                Value::Null,
                "line is not valid UTF-8".to_owned(),
            ),
        };
        summary.lines += 1;
        if reply.get("ok") != Some(&Value::Bool(true)) {
            summary.failed += 1;
        }
        serde_json::to_writer(&mut output, &reply)?;
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(summary)
}
