-- Tumbling and sliding window aggregates per tag. Late data corrects a
-- window: the sink writes the corrected row with a higher `version`, and
-- ReplacingMergeTree keeps the newest row per (plant, tag, window,
-- window_start). A row whose newest version has diff = -1 was retracted.
-- Read with FINAL (or argMax by version) and `diff > 0`:
--   SELECT * FROM window_aggregates FINAL WHERE diff > 0
CREATE TABLE IF NOT EXISTS window_aggregates
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    tag LowCardinality(String),
    window LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    count UInt64,
    sum Float64,
    mean Float64,
    min Float64,
    max Float64,
    first Float64,
    last Float64,
    diff Int8,
    version UInt64,
    batch_id String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (plant, tag, window, window_start)
TTL toDateTime(window_start) + INTERVAL 730 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
