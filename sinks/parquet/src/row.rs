//! The row interface: a type states its columns and pushes its values.

use arrow::datatypes::Field;

use crate::column::Column;

/// A row type of a stream that can be written to Parquet.
///
/// ```
/// use steamflow_sink_parquet::arrow_types::{DataType, Field, TimeUnit};
/// use steamflow_sink_parquet::{ParquetRow, RowAppender};
///
/// struct Closure { window_end_ms: i64, plant: String, mass_pct: f64, note: Option<String> }
///
/// impl ParquetRow for Closure {
///     fn fields() -> Vec<Field> {
///         vec![
///             Field::new("window_end", DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())), false),
///             Field::new("plant", DataType::Utf8, false),
///             Field::new("mass_pct", DataType::Float64, false),
///             Field::new("note", DataType::Utf8, true),
///         ]
///     }
///     fn append(&self, row: &mut RowAppender<'_>) {
///         row.time_ms(self.window_end_ms)
///             .str(&self.plant)
///             .f64(self.mass_pct)
///             .opt_str(self.note.as_deref());
///     }
/// }
/// ```
pub trait ParquetRow {
    /// The columns, in the order [`append`](Self::append) pushes them.
    /// Supported types: Float64, Int64, UInt64, Int32, UInt32, Boolean, Utf8
    /// and Timestamp(Millisecond, any zone). The writer adds `diff`.
    fn fields() -> Vec<Field>;

    /// Pushes one value per column, in order.
    fn append(&self, row: &mut RowAppender<'_>);
}

/// One value pushed through a [`RowAppender`], as a [`RowTarget`] gets it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'v> {
    /// A null.
    Null,
    /// A Float64 value.
    F64(f64),
    /// An Int64 value.
    I64(i64),
    /// A UInt64 value.
    U64(u64),
    /// An Int32 value.
    I32(i32),
    /// A UInt32 value.
    U32(u32),
    /// A Boolean value.
    Bool(bool),
    /// A Utf8 value.
    Str(&'v str),
    /// A Timestamp(Millisecond) value: UTC milliseconds since the epoch.
    TimeMs(i64),
}

/// Takes a row's values one by one where they do not go to arrow builders
/// (a row encoded straight into another format, say).
pub trait RowTarget {
    /// The number of columns a row has.
    fn columns(&self) -> usize;
    /// The value of column `index`; `Err` says why it does not fit.
    fn push(&mut self, index: usize, value: Value<'_>) -> Result<(), String>;
}

/// Takes the values of one row, column by column. A value of the wrong kind
/// for its column, or too many or too few values, makes the writer return
/// [`SinkError::Row`](crate::SinkError::Row).
pub struct RowAppender<'a> {
    target: Target<'a>,
    next: usize,
    mismatch: Option<String>,
}

enum Target<'a> {
    Builders(&'a mut [Column]),
    Values(&'a mut dyn RowTarget),
}

macro_rules! push_methods {
    ($( $(#[$doc:meta])* $name:ident, $opt:ident, $ty:ty, $variant:ident, |$b:ident, $v:ident| $append:expr; )*) => {
        $(
            $(#[$doc])*
            pub fn $name(&mut self, $v: $ty) -> &mut Self {
                self.push(stringify!($name), Value::$variant($v), |column| match column {
                    Column::$variant($b) => {
                        $append;
                        true
                    }
                    _ => false,
                })
            }

            /// As the method without `opt_`; `None` is a null.
            pub fn $opt(&mut self, value: Option<$ty>) -> &mut Self {
                match value {
                    Some(value) => self.$name(value),
                    None => self.null(),
                }
            }
        )*
    };
}

impl<'a> RowAppender<'a> {
    pub(crate) fn new(columns: &'a mut [Column]) -> Self {
        Self {
            target: Target::Builders(columns),
            next: 0,
            mismatch: None,
        }
    }

    /// Pushes one row's values into `target` through `push`; `Err` with
    /// the reason when the row did not push exactly one fitting value per
    /// column.
    pub fn push_into(
        target: &mut dyn RowTarget,
        push: impl FnOnce(&mut RowAppender<'_>),
    ) -> Result<(), String> {
        let mut appender = RowAppender {
            target: Target::Values(target),
            next: 0,
            mismatch: None,
        };
        push(&mut appender);
        appender.check()
    }

    push_methods! {
        /// A Float64 value (NaN and ±∞ are kept).
        f64, opt_f64, f64, F64, |b, value| b.append_value(value);
        /// An Int64 value.
        i64, opt_i64, i64, I64, |b, value| b.append_value(value);
        /// A UInt64 value.
        u64, opt_u64, u64, U64, |b, value| b.append_value(value);
        /// An Int32 value.
        i32, opt_i32, i32, I32, |b, value| b.append_value(value);
        /// A UInt32 value (an OPC UA status code, say).
        u32, opt_u32, u32, U32, |b, value| b.append_value(value);
        /// A Boolean value.
        bool, opt_bool, bool, Bool, |b, value| b.append_value(value);
        /// A Utf8 value.
        str, opt_str, &str, Str, |b, value| b.append_value(value);
        /// A Timestamp(Millisecond) value: UTC milliseconds since the epoch.
        time_ms, opt_time_ms, i64, TimeMs, |b, value| b.append_value(value);
    }

    /// A null in the next column, whatever its type.
    pub fn null(&mut self) -> &mut Self {
        self.push("null", Value::Null, |column| {
            column.append_null();
            true
        })
    }

    fn push(
        &mut self,
        pushed: &'static str,
        value: Value<'_>,
        append: impl FnOnce(&mut Column) -> bool,
    ) -> &mut Self {
        if self.mismatch.is_none() {
            let index = self.next;
            self.mismatch = match &mut self.target {
                Target::Builders(columns) => match columns.get_mut(index) {
                    Some(column) => (!append(column)).then(|| {
                        format!(
                            "column {index} takes {} values, the row pushed {pushed}",
                            column.kind()
                        )
                    }),
                    None => Some(format!(
                        "the row pushed more than its {} columns",
                        columns.len()
                    )),
                },
                Target::Values(target) if index < target.columns() => target
                    .push(index, value)
                    .err()
                    .map(|reason| format!("column {index}: {reason}")),
                Target::Values(target) => Some(format!(
                    "the row pushed more than its {} columns",
                    target.columns()
                )),
            };
        }
        self.next += 1;
        self
    }

    /// `Err` with the reason when the row did not push exactly one value
    /// of the right kind per column.
    pub(crate) fn check(self) -> Result<(), String> {
        if let Some(mismatch) = self.mismatch {
            return Err(mismatch);
        }
        let columns = match &self.target {
            Target::Builders(columns) => columns.len(),
            Target::Values(target) => target.columns(),
        };
        if self.next != columns {
            return Err(format!(
                "the row pushed {} values for {columns} columns",
                self.next
            ));
        }
        Ok(())
    }
}
