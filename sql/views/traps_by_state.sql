-- How many traps are in each state, per plant (the area) and trap type, in
-- each plant's latest assessed window; with the steam the failed ones lose.
WITH latest AS (
    SELECT plant, max(window_start) AS window_start
    FROM trap_statuses
    GROUP BY plant
)
SELECT t.plant                        AS area,
       t.trap_type,
       t.state,
       count(*)                       AS traps,
       round(sum(t.loss_kg_h), 1)     AS loss_kg_h,
       round(sum(t.loss_cost_per_year), 0) AS cost_per_year,
       string_agg(t.trap, ', ' ORDER BY t.trap) AS trap_ids
FROM trap_statuses AS t
JOIN latest AS l ON t.plant = l.plant AND t.window_start = l.window_start
GROUP BY t.plant, t.trap_type, t.state
ORDER BY area, t.trap_type, t.state
