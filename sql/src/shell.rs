//! The interactive SQL shell: line editing, history in a file, completion
//! of table, column-free function and keyword names, pretty tables, and a
//! few backslash commands (`\dt` tables, `\df [pattern]` functions with
//! their units, `\q` quit). A statement ends with `;` and may span lines.
//! It runs over a local session or a running pipeline ([`Backend`]); over
//! a pipeline the names to complete come from `SHOW TABLES` and `SHOW
//! FUNCTIONS` there.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;

use datafusion::prelude::SessionContext;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::command::Backend;
use crate::error::Result;

const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT",
    "JOIN",
    "LEFT JOIN",
    "ON",
    "AS",
    "AND",
    "OR",
    "NOT",
    "NULL",
    "DESC",
    "ASC",
    "COUNT",
    "DISTINCT",
    "WITH",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "SHOW TABLES",
    "SHOW FUNCTIONS",
    "DESCRIBE",
];

/// Completes the word before the cursor from the session's names.
struct SqlHelper {
    words: Vec<String>,
}

impl Completer for SqlHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let head = line.get(..pos).unwrap_or(line);
        let start = head
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |index| index + 1);
        let word = head.get(start..).unwrap_or("");
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let lower = word.to_ascii_lowercase();
        let candidates = self
            .words
            .iter()
            .filter(|candidate| candidate.to_ascii_lowercase().starts_with(&lower))
            .map(|candidate| Pair {
                display: candidate.clone(),
                replacement: candidate.clone(),
            })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for SqlHelper {
    type Hint = String;
}

impl Highlighter for SqlHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for SqlHelper {}

impl Helper for SqlHelper {}

/// Lists the steam functions (or those matching `pattern`) with their
/// syntax and description, from the session's own documentation.
pub fn describe_functions(ctx: &SessionContext, pattern: &str) -> String {
    let state = ctx.state();
    let mut out = String::new();
    let mut names: Vec<&String> = state.scalar_functions().keys().collect();
    names.sort();
    for name in names {
        let Some(udf) = state.scalar_functions().get(name) else {
            continue;
        };
        let matches = if pattern.is_empty() {
            crate::udf::is_steamflow_function(name)
        } else {
            name.contains(pattern)
        };
        if !matches {
            continue;
        }
        match udf.documentation() {
            Some(doc) => {
                out.push_str(&format!(
                    "{}\n    {}\n",
                    doc.syntax_example, doc.description
                ));
                for (arg, text) in doc.arguments.iter().flatten() {
                    out.push_str(&format!("    {arg}: {text}\n"));
                }
            }
            None => out.push_str(&format!("{name}\n")),
        }
    }
    if out.is_empty() {
        out.push_str("no function matches\n");
    }
    out
}

/// Runs the shell over a local session until end of input or `\q`;
/// history goes to `history`.
pub async fn run(ctx: &SessionContext, history: Option<PathBuf>) -> Result<()> {
    run_on(&Backend::Local(ctx.clone()), history).await
}

/// Runs the shell over `backend` (a local session or a running
/// pipeline) until end of input or `\q`; history goes to `history`.
pub async fn run_on(backend: &Backend, history: Option<PathBuf>) -> Result<()> {
    let mut words = backend.table_names().await?;
    words.extend(backend.function_names().await?);
    words.extend(KEYWORDS.iter().map(|k| (*k).to_owned()));
    let mut editor: Editor<SqlHelper, DefaultHistory> =
        Editor::new().map_err(|e| std::io::Error::other(e.to_string()))?;
    editor.set_helper(Some(SqlHelper { words }));
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut statement = String::new();
    loop {
        let prompt = if statement.is_empty() {
            "sql> "
        } else {
            "  -> "
        };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                statement.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(std::io::Error::other(e.to_string()).into()),
        };
        let trimmed = line.trim();
        if statement.is_empty() && trimmed.starts_with('\\') {
            let _ = editor.add_history_entry(trimmed);
            let mut parts = trimmed.splitn(2, ' ');
            let command = parts.next().unwrap_or("");
            let argument = parts.next().unwrap_or("").trim();
            let output = match command {
                "\\q" => break,
                "\\dt" => backend
                    .table_names()
                    .await
                    .map(|names| names.join("\n") + "\n"),
                "\\df" => backend.describe_functions(argument).await,
                _ => Ok(String::from(
                    "commands: \\dt tables, \\df [pattern] functions, \\q quit\n",
                )),
            };
            let output = output.unwrap_or_else(|e| format!("error: {e}\n"));
            print!("{output}");
            continue;
        }
        statement.push_str(&line);
        statement.push('\n');
        if !trimmed.ends_with(';') {
            continue;
        }
        let _ = editor.add_history_entry(statement.trim());
        match backend
            .query(&statement)
            .await
            .and_then(|answer| answer.pretty())
        {
            Ok(table) => println!("{table}"),
            Err(e) => println!("error: {e}"),
        }
        let _ = std::io::stdout().flush();
        statement.clear();
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(())
}
