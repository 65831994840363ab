-- Leak detections per location and window, sized and costed. Corrected by
-- late data: read with FINAL and `diff > 0`.
CREATE TABLE IF NOT EXISTS leaks
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    location String,
    segment Nullable(String),
    size_kg_h Float64,
    size_basis LowCardinality(String),
    equivalent_diameter_mm Nullable(Float64),
    energy_kw Nullable(Float64),
    cost_per_year Nullable(Float64),
    confidence Float64,
    priority Float64,
    methods Array(String),
    since Nullable(DateTime64(3, 'UTC')),
    evidence Array(String),
    diff Int8,
    version UInt64,
    batch_id String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (plant, location, window_start, window_end)
TTL toDateTime(window_start) + INTERVAL 1825 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
