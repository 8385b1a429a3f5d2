-- Conversions per partner and currency pair: how many, the exact amounts converted and received, the first and the last.
SELECT
  partner_id,
  from_currency,
  to_currency,
  count(*) AS conversions,
  sum(amount) AS amount,
  sum(converted) AS converted,
  min(created_at) AS first_at,
  max(created_at) AS last_at
FROM conversions_latest
GROUP BY partner_id, from_currency, to_currency
ORDER BY partner_id, from_currency, to_currency
