-- The 20 merchants with the largest volume in the base currency, with their number of transactions and last one.
SELECT
  merchant,
  base_currency,
  count(*) AS transactions,
  sum(amount_base) AS amount_base,
  date_format(max("timestamp"), '%Y-%m-%d %H:%i:%s') AS last_transaction_at
FROM transactions_latest
GROUP BY merchant, base_currency
ORDER BY amount_base DESC, merchant
LIMIT 20
