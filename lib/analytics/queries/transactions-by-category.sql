-- Number of transactions and their exact sum in the base currency per UTC day and category (one row per transaction_id).
SELECT
  CAST("timestamp" AS DATE) AS utc_day,
  category,
  base_currency,
  count(*) AS transactions,
  sum(amount_base) AS amount_base
FROM transactions_latest
GROUP BY CAST("timestamp" AS DATE), category, base_currency
ORDER BY utc_day, category, base_currency
