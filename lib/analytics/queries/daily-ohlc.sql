-- Open, high, low and close of each currency pair's rate (quote units per base unit) per provider and UTC day.
SELECT
  provider,
  base_currency,
  quote_currency,
  date_format(as_of, '%Y-%m-%d') AS utc_day,
  min_by(quote_per_base, as_of) AS open,
  max(quote_per_base) AS high,
  min(quote_per_base) AS low,
  max_by(quote_per_base, as_of) AS close,
  count(*) AS samples
FROM rates
GROUP BY provider, base_currency, quote_currency, date_format(as_of, '%Y-%m-%d')
ORDER BY provider, base_currency, quote_currency, utc_day
