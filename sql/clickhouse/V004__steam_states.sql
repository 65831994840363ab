-- Steam state per asset and window (IAPWS-IF97 properties, drops, heat
-- loss). Corrected by late data: read with FINAL and `diff > 0`.
CREATE TABLE IF NOT EXISTS steam_states
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    kind Nullable(String),
    asset LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    pressure_barg Nullable(Float64),
    temperature_c Nullable(Float64),
    saturation_temperature_c Nullable(Float64),
    superheat_k Nullable(Float64),
    phase Nullable(String),
    enthalpy_kj_kg Nullable(Float64),
    entropy_kj_kg_k Nullable(Float64),
    dryness Nullable(Float64),
    inlet_pressure_barg Nullable(Float64),
    outlet_pressure_barg Nullable(Float64),
    pressure_drop_bar Nullable(Float64),
    heat_loss_kw Nullable(Float64),
    condensation_kg_h Nullable(Float64),
    inlet_temperature_c Nullable(Float64),
    outlet_temperature_c Nullable(Float64),
    delta_t_k Nullable(Float64),
    subcooling_k Nullable(Float64),
    pressure_avg Nullable(Float64),
    pressure_rate_per_min Nullable(Float64),
    temperature_avg Nullable(Float64),
    temperature_rate_per_min Nullable(Float64),
    diff Int8,
    version UInt64,
    batch_id String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (plant, asset, window_start, window_end)
TTL toDateTime(window_start) + INTERVAL 730 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
