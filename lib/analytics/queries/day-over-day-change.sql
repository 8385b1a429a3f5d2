-- Each pair's close per rate date against the previous rate date's (the ECB's Monday against its Friday): exact change, change in percent, and volatility (standard deviation of the daily percent changes of that pair).
WITH daily AS (
  SELECT provider, base_currency, quote_currency, rate_date, max_by(quote_per_base, in_force_from) AS close
  FROM rates
  GROUP BY provider, base_currency, quote_currency, rate_date
),
changes AS (
  SELECT
    daily.*,
    lag(close) OVER (PARTITION BY provider, base_currency, quote_currency ORDER BY rate_date) AS previous_close
  FROM daily
)
SELECT
  provider,
  base_currency,
  quote_currency,
  rate_date,
  close,
  previous_close,
  close - previous_close AS change,
  round(CAST(close - previous_close AS DOUBLE) / CAST(previous_close AS DOUBLE) * 100, 4) AS change_pct,
  round(
    stddev_samp(CAST(close - previous_close AS DOUBLE) / CAST(previous_close AS DOUBLE) * 100)
      OVER (PARTITION BY provider, base_currency, quote_currency),
    4
  ) AS volatility_pct
FROM changes
ORDER BY provider, base_currency, quote_currency, rate_date
