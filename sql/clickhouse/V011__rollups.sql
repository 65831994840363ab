-- Rollups maintained by ClickHouse itself: materialized views feed
-- AggregatingMergeTree tables on every insert. Read them with the -Merge
-- combinators:
--   SELECT hour, plant, tag, avgMerge(avg_value), minMerge(min_value),
--          maxMerge(max_value), countMerge(samples)
--   FROM steam_hourly_avg GROUP BY hour, plant, tag
CREATE TABLE IF NOT EXISTS steam_hourly_avg
(
    hour DateTime('UTC'),
    plant LowCardinality(String),
    tag LowCardinality(String),
    avg_value AggregateFunction(avg, Float64),
    min_value AggregateFunction(min, Float64),
    max_value AggregateFunction(max, Float64),
    samples AggregateFunction(count, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (plant, tag, hour)
TTL hour + INTERVAL 1825 DAY -- requires 19.6
;
-- Only finite values of good quality enter the averages.
CREATE MATERIALIZED VIEW IF NOT EXISTS steam_hourly_avg_mv TO steam_hourly_avg
AS SELECT
    toStartOfHour(toDateTime(event_time, 'UTC')) AS hour,
    plant,
    tag,
    avgState(value) AS avg_value,
    minState(value) AS min_value,
    maxState(value) AS max_value,
    countState(toUInt64(1)) AS samples
FROM readings
WHERE diff > 0 AND isFinite(value) AND quality = 'good'
GROUP BY hour, plant, tag
;
-- Daily generation and losses per plant from the balance windows. A
-- balance corrected by late data is counted once per version here: use the
-- balances table with FINAL for audited figures.
CREATE TABLE IF NOT EXISTS steam_daily_summary
(
    day Date,
    plant LowCardinality(String),
    avg_generation_kg_h AggregateFunction(avg, Float64),
    avg_total_loss_kg_h AggregateFunction(avg, Float64),
    avg_mass_closure_pct AggregateFunction(avg, Float64),
    total_loss_cost_per_year AggregateFunction(avg, Float64),
    windows AggregateFunction(count, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (plant, day)
TTL day + INTERVAL 1825 DAY -- requires 19.6
;
CREATE MATERIALIZED VIEW IF NOT EXISTS steam_daily_summary_mv TO steam_daily_summary
AS SELECT
    toDate(toDateTime(window_start, 'UTC')) AS day,
    plant,
    avgState(generation_kg_h) AS avg_generation_kg_h,
    avgState(total_loss_kg_h) AS avg_total_loss_kg_h,
    avgState(mass_closure_pct) AS avg_mass_closure_pct,
    avgState(total_loss_cost_per_year) AS total_loss_cost_per_year,
    countState(toUInt64(1)) AS windows
FROM balances
WHERE diff > 0
GROUP BY day, plant
