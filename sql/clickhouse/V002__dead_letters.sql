-- Readings the graph refused, with the reason: kept so that nothing is
-- silently dropped.
CREATE TABLE IF NOT EXISTS dead_letters
(
    time DateTime64(3, 'UTC'),
    plant Nullable(String),
    tag Nullable(String),
    key String,
    event_time DateTime64(3, 'UTC'),
    value Float64,
    quality LowCardinality(String),
    reason LowCardinality(String),
    detail Float64,
    diff Int8,
    batch_id String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (key, event_time)
TTL toDateTime(event_time) + INTERVAL 90 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
