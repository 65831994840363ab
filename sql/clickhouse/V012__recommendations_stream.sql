-- The recommendations stream as the graph writes it: one row per
-- recommendation and window, ranked and appraised. V010 reserved the table
-- before the stream existed, with columns the stream never had (`priority`,
-- `message`), so that no row could land in it; it is replaced here. Read
-- with FINAL and `diff > 0` (a recommendation that no longer applies is
-- retracted).
DROP TABLE IF EXISTS recommendations;
CREATE TABLE IF NOT EXISTS recommendations
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    rank UInt32,
    id String,
    kind LowCardinality(String),
    asset String,
    action String,
    savings_kg_h Float64,
    savings_kw Float64,
    savings_per_year Float64,
    co2_t_per_year Float64,
    capex Float64,
    npv Float64,
    irr Nullable(Float64),
    simple_payback_years Nullable(Float64),
    discounted_payback_years Nullable(Float64),
    difficulty LowCardinality(String),
    operational_impact String,
    in_portfolio UInt8,
    portfolio_reason String,
    why String,
    basis String,
    sensitivity Array(String),
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
