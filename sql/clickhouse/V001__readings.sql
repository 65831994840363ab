-- Validated readings, one row per reading: the system of record for raw
-- process values. Appended, never corrected.
CREATE TABLE IF NOT EXISTS readings
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    tag LowCardinality(String),
    event_time DateTime64(3, 'UTC'),
    value Float64,
    quality LowCardinality(String),
    flags Array(String),
    diff Int8,
    batch_id String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (plant, tag, event_time)
TTL toDateTime(event_time) + INTERVAL 400 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
