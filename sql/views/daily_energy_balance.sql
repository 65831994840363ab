-- The energy balance per plant and day from the 1-minute balances: energy
-- in and out [MWh] (each window's kW times its length), steam generated and
-- consumed [t], efficiency, and the closures averaged over the day.
SELECT plant,
       date_trunc('day', to_timestamp_millis(CAST(window_start AS BIGINT))) AS day,
       count(*)                                                             AS windows,
       round(sum(generation_kg_h * (window_end - window_start) / 3.6e6) / 1000, 2)  AS generated_t,
       round(sum(consumption_kg_h * (window_end - window_start) / 3.6e6) / 1000, 2) AS consumed_t,
       round(sum(energy_input_kw * (window_end - window_start) / 3.6e6) / 1000, 3)  AS energy_in_mwh,
       round(sum(useful_output_kw * (window_end - window_start) / 3.6e6) / 1000, 3) AS useful_out_mwh,
       round(sum(total_loss_kw * (window_end - window_start) / 3.6e6) / 1000, 3)    AS losses_mwh,
       round(sum(useful_output_kw * (window_end - window_start))
             / sum(energy_input_kw * (window_end - window_start)) * 100, 2)         AS efficiency_pct,
       round(avg(mass_closure_pct), 2)                                              AS mass_closure_pct,
       round(avg(energy_closure_pct), 2)                                            AS energy_closure_pct
FROM balances
GROUP BY plant, day
ORDER BY plant, day
