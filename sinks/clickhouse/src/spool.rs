//! The on-disk spool: every sealed batch is a file until the server has
//! it, so that an outage or a restart loses nothing.
//!
//! A batch is `<seq>-<table>-<token>.rowbinary`: its RowBinary rows, whose
//! `batch_id` is `<token>`. It is written under a temporary name, synced,
//! and renamed, so a file under its final name is always whole; a
//! leftover temporary file (a crash mid-write) is removed on open, and
//! its rows were never acknowledged to the graph. Batches are delivered in
//! `seq` order (a few at a time) and removed once delivered; one the server refuses for good
//! moves to `dead/` with a `.reason` file beside it.

use std::collections::VecDeque;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// One spooled batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Its file.
    pub path: PathBuf,
    /// Its place in the delivery order.
    pub seq: u64,
    /// The table it goes to.
    pub table: String,
    /// Its deduplication token (and every row's `batch_id`).
    pub token: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Found on disk at start: a previous process may have delivered it
    /// without removing it.
    pub recovered: bool,
}

/// The spool folder and the batches in it, oldest first.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    next_seq: u64,
    bytes: u64,
    queue: VecDeque<Batch>,
}

const SUFFIX: &str = ".rowbinary";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Spool {
        path: path.to_path_buf(),
        source,
    }
}

impl Spool {
    /// Opens (creating) the folder and queues the batches left in it.
    pub fn open(dir: &Path) -> Result<Spool, Error> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let mut queue = Vec::new();
        for entry in fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.ends_with(".tmp") {
                fs::remove_file(&path).map_err(io(&path))?;
                continue;
            }
            if let Some(batch) = parse_name(&path, name) {
                let bytes = fs::metadata(&path).map_err(io(&path))?.len();
                queue.push(Batch { bytes, ..batch });
            }
        }
        queue.sort_by_key(|batch| batch.seq);
        let next_seq = queue.last().map_or(0, |batch| batch.seq + 1);
        let bytes = queue.iter().map(|batch| batch.bytes).sum();
        Ok(Spool {
            dir: dir.to_path_buf(),
            next_seq,
            bytes,
            queue: queue.into(),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Bytes spooled and not yet delivered.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Batches spooled and not yet delivered.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether everything was delivered.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The oldest batch.
    pub fn front(&self) -> Option<&Batch> {
        self.queue.front()
    }

    /// Writes a batch durably and queues it.
    pub fn push(&mut self, table: &str, token: &str, data: &[u8]) -> Result<(), Error> {
        let seq = self.next_seq;
        let name = format!("{seq:020}-{table}-{token}{SUFFIX}");
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!("{name}.tmp"));
        let mut file = fs::File::create(&tmp).map_err(io(&tmp))?;
        file.write_all(data).map_err(io(&tmp))?;
        file.sync_data().map_err(io(&tmp))?;
        drop(file);
        fs::rename(&tmp, &path).map_err(io(&path))?;
        self.next_seq += 1;
        self.bytes += data.len() as u64;
        self.queue.push_back(Batch {
            path,
            seq,
            table: table.to_owned(),
            token: token.to_owned(),
            bytes: data.len() as u64,
            recovered: false,
        });
        Ok(())
    }

    /// The batches waiting, oldest first.
    pub fn batches(&self) -> impl Iterator<Item = &Batch> {
        self.queue.iter()
    }

    fn take(&mut self, seq: u64) -> Option<Batch> {
        let index = self.queue.iter().position(|batch| batch.seq == seq)?;
        let batch = self.queue.remove(index)?;
        self.bytes = self.bytes.saturating_sub(batch.bytes);
        Some(batch)
    }

    /// Removes batch `seq` (delivered).
    pub fn remove(&mut self, seq: u64) -> Result<(), Error> {
        if let Some(batch) = self.take(seq) {
            fs::remove_file(&batch.path).map_err(io(&batch.path))?;
        }
        Ok(())
    }

    /// Moves batch `seq` to `dead/`, with the reason beside it.
    pub fn bury(&mut self, seq: u64, reason: &str) -> Result<PathBuf, Error> {
        let dead = self.dir.join("dead");
        fs::create_dir_all(&dead).map_err(io(&dead))?;
        let Some(batch) = self.take(seq) else {
            return Ok(dead);
        };
        self.bytes = self.bytes.saturating_sub(batch.bytes);
        let name = batch
            .path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_default();
        let target = dead.join(&name);
        fs::rename(&batch.path, &target).map_err(io(&target))?;
        let reason_path = target.with_extension("reason");
        fs::write(&reason_path, reason).map_err(io(&reason_path))?;
        Ok(target)
    }
}

fn parse_name(path: &Path, name: &str) -> Option<Batch> {
    let stem = name.strip_suffix(SUFFIX)?;
    let (seq, rest) = stem.split_once('-')?;
    let (table, token) = rest.rsplit_once('-')?;
    Some(Batch {
        path: path.to_path_buf(),
        seq: seq.parse().ok()?,
        table: table.to_owned(),
        token: token.to_owned(),
        bytes: 0,
        recovered: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_survive_a_reopen_in_order_and_half_written_ones_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(dir.path()).unwrap();
        spool.push("readings", "aa", b"one").unwrap();
        spool.push("trap_statuses", "bb", b"two!").unwrap();
        fs::write(
            dir.path()
                .join("00000000000000000009-readings-cc.rowbinary.tmp"),
            b"x",
        )
        .unwrap();
        drop(spool);
        let mut spool = Spool::open(dir.path()).unwrap();
        assert_eq!(spool.len(), 2);
        assert_eq!(spool.bytes(), 7);
        let front = spool.front().unwrap().clone();
        assert_eq!(
            (front.table.as_str(), front.token.as_str()),
            ("readings", "aa")
        );
        assert!(front.recovered);
        spool.remove(0).unwrap();
        let buried = spool.bury(1, "schema").unwrap();
        assert!(buried.exists());
        assert!(spool.is_empty());
        spool.push("losses", "dd", b"3").unwrap();
        assert_eq!(spool.front().unwrap().seq, 2);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2); // the batch and dead/
    }
}
