//! The replay itself: a file opened in its format, read into batches,
//! paced and shown as it goes.

use std::fs::File;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use steamflow_operators::reading::Reading;

use crate::csv::CsvDecoder;
use crate::dead_letter::DeadLetter;
use crate::error::{OpenError, ReplayError};
use crate::fields::Fields;
use crate::jsonl::JsonlDecoder;
use crate::pace::Pacer;
use crate::parquet::ParquetDecoder;
use crate::{FileFormat, progress};

/// Rows per batch unless told otherwise.
const DEFAULT_BATCH_ROWS: usize = 4096;

/// How to replay a file.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayOptions {
    /// The format; `None`: from the extension.
    pub format: Option<FileFormat>,
    /// Pace by event time at this multiple of real time (1.0 as recorded,
    /// 60.0 a minute per second); `None`: as fast as possible.
    pub realtime_factor: Option<f64>,
    /// The plant of rows that name none (and of files without a plant column).
    pub default_plant: Option<String>,
    /// Rows (readings and dead letters together) per batch, at least 1.
    pub batch_rows: usize,
    /// Draw a progress bar on standard error.
    pub progress: bool,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self {
            format: None,
            realtime_factor: None,
            default_plant: None,
            batch_rows: DEFAULT_BATCH_ROWS,
            progress: false,
        }
    }
}

/// Readings and dead letters of consecutive rows, each in file order.
/// Reuse one batch across [`FileReplay::next_batch`] calls to keep its buffers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    /// The rows that decoded.
    pub readings: Vec<Reading>,
    /// The rows that did not, with where and why.
    pub dead_letters: Vec<DeadLetter>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the batch, keeping its capacity.
    pub fn clear(&mut self) {
        self.readings.clear();
        self.dead_letters.clear();
    }

    /// Rows in the batch.
    pub fn len(&self) -> usize {
        self.readings.len() + self.dead_letters.len()
    }

    /// Whether the batch holds no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Counts of a replay so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayStats {
    /// Readings delivered.
    pub readings: u64,
    /// Dead letters delivered.
    pub dead_letters: u64,
    /// Bytes (CSV, JSON Lines) or rows (Parquet) consumed.
    pub position: u64,
    /// The file's size in bytes (CSV, JSON Lines) or rows (Parquet).
    pub total: u64,
}

enum Decoder {
    Csv(Box<CsvDecoder>),
    Jsonl(Box<JsonlDecoder>),
    Parquet(Box<ParquetDecoder>),
}

impl Decoder {
    #[inline]
    fn next(&mut self) -> Result<Option<Result<Reading, DeadLetter>>, ReplayError> {
        match self {
            Decoder::Csv(d) => d.next(),
            Decoder::Jsonl(d) => d.next(),
            Decoder::Parquet(d) => d.next(),
        }
    }

    fn position(&self) -> u64 {
        match self {
            Decoder::Csv(d) => d.position(),
            Decoder::Jsonl(d) => d.position(),
            Decoder::Parquet(d) => d.position(),
        }
    }
}

/// A historian file being replayed.
///
/// ```no_run
/// use steamflow_source_file::{Batch, FileReplay, ReplayOptions};
///
/// let mut replay = FileReplay::open("readings.csv", &ReplayOptions::default())?;
/// let mut batch = Batch::new();
/// while replay.next_batch(&mut batch)? {
///     for reading in &batch.readings { /* … */ }
///     for dead in &batch.dead_letters { eprintln!("{dead}"); }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FileReplay {
    path: PathBuf,
    format: FileFormat,
    decoder: Decoder,
    pacer: Option<Pacer>,
    /// A reading that opens the next paced batch.
    carried: Option<Reading>,
    batch_rows: usize,
    progress: Option<ProgressBar>,
    stats: ReplayStats,
    finished: bool,
}

impl FileReplay {
    /// Opens `path` and reads its header or schema.
    pub fn open(path: impl AsRef<Path>, options: &ReplayOptions) -> Result<Self, OpenError> {
        let path = path.as_ref();
        let format = match options.format.or_else(|| FileFormat::from_path(path)) {
            Some(format) => format,
            None => {
                return Err(OpenError::UnknownFormat {
                    path: path.to_path_buf(),
                });
            }
        };
        let pacer = match options.realtime_factor {
            Some(factor) if factor.is_finite() && factor > 0.0 => Some(Pacer::new(factor)),
            Some(factor) => return Err(OpenError::BadFactor(factor)),
            None => None,
        };
        let io_error = |source| OpenError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let size = file.metadata().map_err(io_error)?.len();
        let fields = Fields::new(options.default_plant.as_deref());
        let (decoder, total) = match format {
            FileFormat::Csv => (
                Decoder::Csv(Box::new(CsvDecoder::open(path, file, fields)?)),
                size,
            ),
            FileFormat::Jsonl => (
                Decoder::Jsonl(Box::new(JsonlDecoder::new(path, file, fields))),
                size,
            ),
            FileFormat::Parquet => {
                let decoder = ParquetDecoder::open(path, file, fields)?;
                let rows = decoder.total_rows();
                (Decoder::Parquet(Box::new(decoder)), rows)
            }
        };
        let mut replay = Self {
            path: path.to_path_buf(),
            format,
            decoder,
            pacer,
            carried: None,
            batch_rows: options.batch_rows.max(1),
            progress: None,
            stats: ReplayStats {
                total,
                ..ReplayStats::default()
            },
            finished: false,
        };
        if options.progress {
            replay.set_progress_bar(progress::stderr_bar());
        }
        Ok(replay)
    }

    /// Shows progress on `bar` (one the caller made, inside a
    /// `MultiProgress` say); its length and style are set here.
    pub fn set_progress_bar(&mut self, bar: ProgressBar) {
        let name = self
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        progress::configure(&bar, self.format, self.stats.total, &name);
        bar.set_position(self.stats.position);
        self.progress = Some(bar);
    }

    /// The format being read.
    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Counts so far.
    pub fn stats(&self) -> ReplayStats {
        self.stats
    }

    /// Fills `batch` (emptied first) with the next rows: up to
    /// [`ReplayOptions::batch_rows`] of them, and when paced, only as many
    /// as are due. Returns `Ok(false)` once the file is exhausted (the batch
    /// is then empty). An error ends the replay; later calls return `Ok(false)`.
    pub fn next_batch(&mut self, batch: &mut Batch) -> Result<bool, ReplayError> {
        batch.clear();
        if self.finished {
            return Ok(false);
        }
        if let Err(error) = self.fill(batch) {
            self.finish();
            return Err(error);
        }
        if let Some(pacer) = &mut self.pacer {
            pacer.wait();
        }
        self.stats.readings += batch.readings.len() as u64;
        self.stats.dead_letters += batch.dead_letters.len() as u64;
        self.stats.position = self.decoder.position();
        if let Some(bar) = &self.progress {
            bar.set_position(self.stats.position);
        }
        if self.finished {
            self.finish();
        }
        Ok(!batch.is_empty())
    }

    fn fill(&mut self, batch: &mut Batch) -> Result<(), ReplayError> {
        while batch.len() < self.batch_rows {
            let row = match self.carried.take() {
                Some(reading) => Ok(reading),
                None => match self.decoder.next()? {
                    Some(row) => row,
                    None => {
                        self.finished = true;
                        return Ok(());
                    }
                },
            };
            match row {
                Ok(reading) => {
                    if let Some(pacer) = &mut self.pacer
                        && !pacer.admit(reading.time_ms)
                    {
                        self.carried = Some(reading);
                        return Ok(());
                    }
                    batch.readings.push(reading);
                }
                Err(dead) => batch.dead_letters.push(dead),
            }
        }
        Ok(())
    }

    fn finish(&mut self) {
        self.finished = true;
        if let Some(bar) = &self.progress {
            bar.finish();
        }
    }
}

/// Batches as they come, each freshly allocated; an error is the last item.
impl Iterator for FileReplay {
    type Item = Result<Batch, ReplayError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut batch = Batch::new();
        match self.next_batch(&mut batch) {
            Ok(true) => Some(Ok(batch)),
            Ok(false) => None,
            Err(error) => Some(Err(error)),
        }
    }
}
