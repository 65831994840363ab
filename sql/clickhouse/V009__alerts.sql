-- Alerts as they fired. A settled alert that late data withdraws arrives
-- again with diff = -1 and a higher version: read with FINAL and `diff > 0`.
CREATE TABLE IF NOT EXISTS alerts
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    rule LowCardinality(String),
    asset LowCardinality(String),
    dedup_key String,
    kind LowCardinality(String),
    severity LowCardinality(String),
    scope LowCardinality(String),
    event_time DateTime64(3, 'UTC'),
    fired_at DateTime64(3, 'UTC'),
    value Float64,
    window_start Nullable(DateTime64(3, 'UTC')),
    message String,
    diff Int8,
    version UInt64,
    batch_id String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(event_time)
ORDER BY (plant, asset, rule, dedup_key, event_time)
TTL toDateTime(event_time) + INTERVAL 1825 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
