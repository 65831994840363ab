-- Reserved for the recommendations stream (not produced yet): the table
-- exists so that dashboards and grants can name it today.
CREATE TABLE IF NOT EXISTS recommendations
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    asset LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    kind LowCardinality(String),
    priority Float64,
    savings_per_year Nullable(Float64),
    message String,
    diff Int8,
    version UInt64,
    batch_id String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (plant, asset, kind, window_start)
TTL toDateTime(window_start) + INTERVAL 1825 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
