-- The ten most expensive steam losses of the run: failed traps and leaks,
-- each with its average loss over the windows it was losing steam and the
-- yearly cost at that rate (the pipeline's own pricing), most costly first.
SELECT kind,
       plant,
       asset,
       detail,
       count(*)                      AS windows,
       round(avg(loss_kg_h), 1)      AS avg_loss_kg_h,
       round(avg(cost_per_year), 0)  AS cost_per_year
FROM (
    SELECT 'trap' AS kind, plant, trap AS asset, state AS detail,
           loss_kg_h, loss_cost_per_year AS cost_per_year
    FROM trap_statuses
    WHERE loss_kg_h > 0
    UNION ALL
    SELECT 'leak' AS kind, plant, location AS asset, size_basis AS detail,
           size_kg_h AS loss_kg_h, cost_per_year
    FROM leaks
) AS losing
GROUP BY kind, plant, asset, detail
ORDER BY cost_per_year DESC
LIMIT 10
