//! The tokens of the batches delivered lately, kept in the spool folder
//! (`delivered.log`), so that a replay after a restart — the same rows
//! sealed into the same batch, hence the same token — is not inserted
//! twice, on any server version. ClickHouse 22.2+ deduplicates too (its
//! insert deduplication window); this works on older servers as well.

use std::collections::{HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// How many tokens are remembered.
pub const WINDOW: usize = 10_000;

/// Recently delivered batch tokens, persisted.
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    file: File,
    order: VecDeque<String>,
    tokens: HashSet<String>,
    lines: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Spool {
        path: path.to_path_buf(),
        source,
    }
}

impl Ledger {
    /// Opens `dir/delivered.log`, keeping its last [`WINDOW`] tokens.
    pub fn open(dir: &Path) -> Result<Ledger, Error> {
        let path = dir.join("delivered.log");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(io(&path)(error)),
        };
        let all: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        let order: VecDeque<String> = all
            .iter()
            .skip(all.len().saturating_sub(WINDOW))
            .map(|t| (*t).to_owned())
            .collect();
        let tokens = order.iter().cloned().collect();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let mut ledger = Ledger {
            path,
            file,
            order,
            tokens,
            lines: all.len(),
        };
        if ledger.lines > 2 * WINDOW {
            ledger.compact()?;
        }
        Ok(ledger)
    }

    /// Whether a batch with this token was delivered lately.
    pub fn contains(&self, token: &str) -> bool {
        self.tokens.contains(token)
    }

    /// Records a delivered batch (synced before returning).
    pub fn record(&mut self, token: &str) -> Result<(), Error> {
        writeln!(self.file, "{token}").map_err(io(&self.path))?;
        self.file.sync_data().map_err(io(&self.path))?;
        self.order.push_back(token.to_owned());
        self.tokens.insert(token.to_owned());
        self.lines += 1;
        while self.order.len() > WINDOW {
            if let Some(old) = self.order.pop_front() {
                self.tokens.remove(&old);
            }
        }
        if self.lines > 2 * WINDOW {
            self.compact()?;
        }
        Ok(())
    }

    /// Rewrites the file with the remembered tokens only.
    fn compact(&mut self) -> Result<(), Error> {
        let tmp = self.path.with_extension("log.tmp");
        let mut text = String::new();
        for token in &self.order {
            text.push_str(token);
            text.push('\n');
        }
        std::fs::write(&tmp, text).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &self.path).map_err(io(&self.path))?;
        self.file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io(&self.path))?;
        self.lines = self.order.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(dir.path()).unwrap();
        ledger.record("a1").unwrap();
        drop(ledger);
        let ledger = Ledger::open(dir.path()).unwrap();
        assert!(ledger.contains("a1"));
        assert!(!ledger.contains("b2"));
    }
}
