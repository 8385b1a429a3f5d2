-- Open, high, low and close of each currency pair's rate (quote units per base unit) per provider and rate date (the provider's own date of its publications), opened and closed by the instant each came in force.
SELECT
  provider,
  base_currency,
  quote_currency,
  rate_date,
  min_by(quote_per_base, in_force_from) AS open,
  max(quote_per_base) AS high,
  min(quote_per_base) AS low,
  max_by(quote_per_base, in_force_from) AS close,
  count(*) AS publications
FROM rates
GROUP BY provider, base_currency, quote_currency, rate_date
ORDER BY provider, base_currency, quote_currency, rate_date
