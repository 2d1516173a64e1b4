-- Per maturity date in [since, until]: how many products reached each stage, the compared totals, and
-- how many were late or missed, aggregated from product_stages.sql (where the rules are).
SELECT maturity_date,
       count(*) AS products,
       count(*) FILTER (WHERE last_outcome IS NOT NULL) AS compared,
       count(*) FILTER (WHERE outcome = 'settled') AS settled,
       count(*) FILTER (WHERE outcome = 'held') AS held,
       count(*) FILTER (WHERE outcome = 'accepted') AS accepted,
       count(*) FILTER (WHERE outcome = 'kept') AS kept,
       count(*) FILTER (WHERE notice_key IS NOT NULL) AS notice_sent,
       count(*) FILTER (WHERE paid_at IS NOT NULL) AS paid,
       count(*) FILTER (WHERE late) AS late,
       count(*) FILTER (WHERE missed) AS missed,
       COALESCE(sum(zw_total), 0) AS zw_total,
       COALESCE(sum(hjs_total), 0) AS hjs_total
FROM ({stages}) s
GROUP BY maturity_date
ORDER BY maturity_date
