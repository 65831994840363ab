//! The columns of each stream as a table of SQL views.
//!
//! A stream whose record type declares typed columns
//! ([`OutputRecord::columns`]: readings, window aggregates, dead letters)
//! is a table of those columns. The analysis streams' records are JSON
//! objects ([`OutputRecord::write_fields`]); their columns are declared
//! here, each typed as the JSON value reads: a number `Float64`, an event
//! time `Int64` milliseconds beside its RFC 3339 text `<name>_utc`, a list
//! the JSON text of the list. These are the types `steamflow sql` infers
//! from a run's JSON Lines files, so that a view reads the same live and
//! over a finished run's folder. A field a record writes that is not
//! declared here is not in the table (the views' tests check that none is
//! missed).
//!
//! [`OutputRecord::columns`]: crate::dataflow::OutputRecord::columns
//! [`OutputRecord::write_fields`]: crate::dataflow::OutputRecord::write_fields

use serde_json::{Map, Value};
use steamflow_sink_parquet::RowAppender;
use steamflow_sink_parquet::arrow_types::{DataType, Field};

use crate::dataflow::{Aggregate, DeadLetter, KeyedReading, OutputRecord, WindowKey, names};

/// How a JSON field reads as a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    /// A number: `Float64`.
    Number,
    /// An integer: `Int64`.
    Integer,
    /// An event time: `<name>` `Int64` ms and `<name>_utc` `Utf8`.
    Time,
    /// `true`/`false`: `Boolean`.
    Bool,
    /// Text: `Utf8`.
    Text,
    /// A list: its JSON text, `Utf8`.
    List,
}

use JsonKind::{Bool, Integer, List, Number, Text, Time};

const STEAM_STATES: &[(&str, JsonKind)] = &[
    ("plant", Text),
    ("kind", Text),
    ("asset", Text),
    ("window_start", Time),
    ("window_end", Time),
    ("pressure_barg", Number),
    ("temperature_c", Number),
    ("saturation_temperature_c", Number),
    ("superheat_k", Number),
    ("phase", Text),
    ("enthalpy_kj_kg", Number),
    ("entropy_kj_kg_k", Number),
    ("dryness", Number),
    ("inlet_pressure_barg", Number),
    ("outlet_pressure_barg", Number),
    ("pressure_drop_bar", Number),
    ("heat_loss_kw", Number),
    ("condensation_kg_h", Number),
    ("inlet_temperature_c", Number),
    ("outlet_temperature_c", Number),
    ("delta_t_k", Number),
    ("subcooling_k", Number),
    ("pressure_avg", Number),
    ("pressure_rate_per_min", Number),
    ("temperature_avg", Number),
    ("temperature_rate_per_min", Number),
];

const BALANCES: &[(&str, JsonKind)] = &[
    ("plant", Text),
    ("window_start", Time),
    ("window_end", Time),
    ("generation_kg_h", Number),
    ("flash_recovered_kg_h", Number),
    ("consumption_kg_h", Number),
    ("residual_before_leaks_kg_h", Number),
    ("known_losses_kg_h", Number),
    ("mass_unaccounted_kg_h", Number),
    ("mass_closure_pct", Number),
    ("mass_closes", Bool),
    ("energy_input_kw", Number),
    ("feedwater_heating_kw", Number),
    ("useful_output_kw", Number),
    ("efficiency", Number),
    ("energy_closure_pct", Number),
    ("energy_unaccounted_kw", Number),
    ("energy_closes", Bool),
    ("total_loss_kg_h", Number),
    ("total_loss_kw", Number),
    ("total_loss_cost_per_year", Number),
    ("condensate_produced_kg_h", Number),
    ("condensate_returned_kg_h", Number),
    ("condensate_recovery_rate", Number),
    ("flash_vented_kg_h", Number),
    ("steam_enthalpy_kj_kg", Number),
    ("assumptions", List),
];

const LOSSES: &[(&str, JsonKind)] = &[
    ("plant", Text),
    ("window_start", Time),
    ("window_end", Time),
    ("category", Text),
    ("loss_kg_h", Number),
    ("loss_kw", Number),
    ("cost_per_year", Number),
    ("cost_per_day", Number),
];

const TRAP_STATUSES: &[(&str, JsonKind)] = &[
    ("plant", Text),
    ("trap", Text),
    ("trap_type", Text),
    ("window_start", Time),
    ("window_end", Time),
    ("state", Text),
    ("confidence", Number),
    ("inlet_subcooling_k", Number),
    ("outlet_superheat_k", Number),
    ("acoustic_excess_db", Number),
    ("loss_kg_h", Number),
    ("loss_kw", Number),
    ("loss_cost_per_year", Number),
    ("open_area_fraction", Number),
    ("loss_from_acoustic", Bool),
    ("evidence", List),
];

const LEAKS: &[(&str, JsonKind)] = &[
    ("plant", Text),
    ("window_start", Time),
    ("window_end", Time),
    ("location", Text),
    ("segment", Text),
    ("size_kg_h", Number),
    ("size_basis", Text),
    ("equivalent_diameter_mm", Number),
    ("energy_kw", Number),
    ("cost_per_year", Number),
    ("confidence", Number),
    ("priority", Number),
    ("methods", List),
    ("since", Time),
    ("evidence", List),
];

const ALERTS: &[(&str, JsonKind)] = &[
    ("plant", Text),
    ("rule", Text),
    ("asset", Text),
    ("dedup_key", Text),
    ("kind", Text),
    ("severity", Text),
    ("scope", Text),
    ("event_time", Time),
    ("fired_at", Time),
    ("value", Number),
    ("window_start", Time),
    ("message", Text),
];

const RECOMMENDATIONS: &[(&str, JsonKind)] = &[
    ("plant", Text),
    ("window_start", Time),
    ("window_end", Time),
    ("rank", Integer),
    ("id", Text),
    ("kind", Text),
    ("asset", Text),
    ("action", Text),
    ("savings_kg_h", Number),
    ("savings_kw", Number),
    ("savings_per_year", Number),
    ("co2_t_per_year", Number),
    ("capex", Number),
    ("npv", Number),
    ("irr", Number),
    ("simple_payback_years", Number),
    ("discounted_payback_years", Number),
    ("difficulty", Text),
    ("operational_impact", Text),
    ("in_portfolio", Bool),
    ("portfolio_reason", Text),
    ("why", Text),
    ("basis", Text),
    ("sensitivity", List),
];

/// How the records of a stream become table rows.
#[derive(Clone, Debug)]
pub enum StreamColumns {
    /// The record's own typed columns ([`crate::dataflow::SinkRecord::append_columns`]).
    Typed(Vec<Field>),
    /// The record's JSON fields, as declared.
    Json(&'static [(&'static str, JsonKind)]),
}

impl StreamColumns {
    /// The columns of the graph stream `stream`; `None` for a name that
    /// is no table (a window family's `window_aggregates.<id>`, say).
    pub fn of(stream: &str) -> Option<StreamColumns> {
        let json = |fields| Some(StreamColumns::Json(fields));
        match stream {
            names::READINGS => KeyedReading::columns().map(StreamColumns::Typed),
            names::WINDOW_AGGREGATES => {
                <(WindowKey, Aggregate)>::columns().map(StreamColumns::Typed)
            }
            names::DEAD_LETTERS => DeadLetter::columns().map(StreamColumns::Typed),
            names::STEAM_STATES => json(STEAM_STATES),
            names::BALANCES => json(BALANCES),
            names::LOSSES => json(LOSSES),
            names::TRAP_STATUSES => json(TRAP_STATUSES),
            names::LEAKS => json(LEAKS),
            names::ALERTS => json(ALERTS),
            names::RECOMMENDATIONS => json(RECOMMENDATIONS),
            _ => None,
        }
    }

    /// The table's columns.
    pub fn fields(&self) -> Vec<Field> {
        match self {
            StreamColumns::Typed(fields) => fields.clone(),
            StreamColumns::Json(declared) => {
                let mut fields = Vec::with_capacity(declared.len() + 4);
                for (name, kind) in declared.iter() {
                    let data_type = match kind {
                        Number => DataType::Float64,
                        Integer | Time => DataType::Int64,
                        Bool => DataType::Boolean,
                        Text | List => DataType::Utf8,
                    };
                    fields.push(Field::new(*name, data_type, true));
                    if *kind == Time {
                        fields.push(Field::new(format!("{name}_utc"), DataType::Utf8, true));
                    }
                }
                fields
            }
        }
    }
}

/// Pushes the declared columns of a record's JSON fields (`null` for a
/// field the record lacks or whose value is of another kind).
pub fn append_json(
    declared: &[(&str, JsonKind)],
    record: &Map<String, Value>,
    row: &mut RowAppender<'_>,
) {
    for (name, kind) in declared {
        let value = record.get(*name);
        match kind {
            Number => {
                row.opt_f64(value.and_then(Value::as_f64));
            }
            Integer => {
                row.opt_i64(value.and_then(Value::as_i64));
            }
            Time => {
                row.opt_i64(value.and_then(Value::as_i64));
                row.opt_str(record.get(&format!("{name}_utc")).and_then(Value::as_str));
            }
            Bool => {
                row.opt_bool(value.and_then(Value::as_bool));
            }
            Text => {
                row.opt_str(value.and_then(Value::as_str));
            }
            List => match value {
                Some(Value::Null) | None => {
                    row.null();
                }
                Some(list) => {
                    row.str(&list.to_string());
                }
            },
        }
    }
}

/// The fields of `record` that `declared` lacks (a record type that
/// gained a field since the declaration).
pub fn undeclared<'a>(
    declared: &[(&str, JsonKind)],
    record: &'a Map<String, Value>,
) -> Vec<&'a str> {
    record
        .keys()
        .map(String::as_str)
        .filter(|key| {
            !declared.iter().any(|(name, kind)| {
                name == key || (*kind == Time && key.strip_suffix("_utc") == Some(*name))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_graph_stream_is_a_table() {
        for stream in crate::config::BUILTIN_STREAMS {
            let columns = StreamColumns::of(stream).expect("a table");
            assert!(!columns.fields().is_empty(), "{stream}");
        }
        assert!(StreamColumns::of("window_aggregates.1m").is_none());
    }

    #[test]
    fn an_event_time_reads_as_milliseconds_and_text() {
        let fields = StreamColumns::of("losses").expect("a table").fields();
        let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            &names[..4],
            ["plant", "window_start", "window_start_utc", "window_end"]
        );
        let record: Map<String, Value> = serde_json::from_str(
            r#"{"plant":"north","window_start":60000,"window_start_utc":"x","extra":1}"#,
        )
        .expect("json");
        assert_eq!(undeclared(LOSSES, &record), ["extra"]);
    }
}
