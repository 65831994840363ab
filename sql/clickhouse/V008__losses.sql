-- Steam losses per plant, category and window. Corrected by late data:
-- read with FINAL and `diff > 0`.
CREATE TABLE IF NOT EXISTS losses
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    category LowCardinality(String),
    loss_kg_h Float64,
    loss_kw Float64,
    cost_per_year Float64,
    cost_per_day Float64,
    diff Int8,
    version UInt64,
    batch_id String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (plant, category, window_start, window_end)
TTL toDateTime(window_start) + INTERVAL 1825 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
