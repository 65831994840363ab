-- Steam trap state per trap and window. Corrected by late data: read with
-- FINAL and `diff > 0`.
CREATE TABLE IF NOT EXISTS trap_statuses
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    trap LowCardinality(String),
    trap_type LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    state LowCardinality(String),
    confidence Float64,
    inlet_subcooling_k Nullable(Float64),
    outlet_superheat_k Nullable(Float64),
    acoustic_excess_db Nullable(Float64),
    loss_kg_h Float64,
    loss_kw Float64,
    loss_cost_per_year Float64,
    open_area_fraction Nullable(Float64),
    loss_from_acoustic UInt8,
    evidence Array(String),
    diff Int8,
    version UInt64,
    batch_id String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (plant, trap, window_start, window_end)
TTL toDateTime(window_start) + INTERVAL 1825 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
