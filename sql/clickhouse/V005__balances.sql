-- Plant mass and energy balance per window, with its closure. Corrected by
-- late data: read with FINAL and `diff > 0`.
CREATE TABLE IF NOT EXISTS balances
(
    time DateTime64(3, 'UTC'),
    plant LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    generation_kg_h Float64,
    flash_recovered_kg_h Float64,
    consumption_kg_h Float64,
    residual_before_leaks_kg_h Float64,
    known_losses_kg_h Float64,
    mass_unaccounted_kg_h Float64,
    mass_closure_pct Float64,
    mass_closes UInt8,
    energy_input_kw Float64,
    feedwater_heating_kw Float64,
    useful_output_kw Float64,
    efficiency Float64,
    energy_closure_pct Float64,
    energy_unaccounted_kw Float64,
    energy_closes UInt8,
    total_loss_kg_h Float64,
    total_loss_kw Float64,
    total_loss_cost_per_year Float64,
    condensate_produced_kg_h Float64,
    condensate_returned_kg_h Float64,
    condensate_recovery_rate Float64,
    flash_vented_kg_h Float64,
    steam_enthalpy_kj_kg Float64,
    assumptions Array(String),
    diff Int8,
    version UInt64,
    batch_id String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (plant, window_start, window_end)
TTL toDateTime(window_start) + INTERVAL 1825 DAY -- requires 19.6
SETTINGS index_granularity = 8192
    , non_replicated_deduplication_window = 1000 -- requires 22.2
