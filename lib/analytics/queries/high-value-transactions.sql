-- The 100 largest high-value transactions (category high_value), with those above the alert threshold flagged.
SELECT
  transaction_id,
  "timestamp",
  merchant,
  merchant_category,
  country,
  amount,
  currency,
  amount_base,
  base_currency,
  high_value_alert
FROM transactions_latest
WHERE category = 'high_value'
ORDER BY amount_base DESC, transaction_id
LIMIT 100
