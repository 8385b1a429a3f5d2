import {
  CURATED_TRANSACTION_COLUMNS,
  curatedTransactionsParquet,
} from '../../../lambdas/adapters/parquet/curated-transactions';
import type { EnrichedTransaction } from '../../../lambdas/domain/transaction';
import { queryParquet } from '../../support/lake';

const base: EnrichedTransaction = {
  transaction_id: 'tx-2',
  user_id_hash: 'f'.repeat(64),
  amount: '138050',
  currency: 'JPY',
  amount_base: '1016.30',
  amount_base_exact: '1016.3',
  base_currency: 'USD',
  rate: '0.007361825425563201738500543281419051068453458891705903658095',
  rate_as_of: '2024-01-10T00:00:00.000Z',
  rate_provider: 'ecb',
  rate_via: 'EUR/JPY,EUR/USD',
  category: 'high_value',
  high_value_alert: false,
  merchant: 'Ramen Bar',
  merchant_category: 'restaurant',
  country: 'JP',
  timestamp: '2024-01-10T12:34:56.789Z',
  processed_at_utc: '2024-01-10T12:35:00.000Z',
};
const second: EnrichedTransaction = {
  ...base,
  transaction_id: 'tx-1',
  amount: '0.000000000000000001',
  currency: 'BTC',
  amount_base: '0.00',
  amount_base_exact: '0.00000000000001673075',
  rate: '16730.75',
  merchant_category: undefined,
  country: undefined,
  category: 'standard',
  high_value_alert: true,
};

describe('curatedTransactionsParquet', () => {
  it('writes exact DECIMAL(38,18) amounts, the rate rounded to 18 places, and nulls for absent optional fields', async () => {
    const rows = await queryParquet(
      curatedTransactionsParquet([base, second]),
      (parquet) => `SELECT transaction_id, amount::VARCHAR AS amount, amount_base::VARCHAR AS amount_base, rate::VARCHAR AS rate,
              typeof(amount) AS amount_type, high_value_alert, merchant_category, country,
              strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%g') AS ts, strftime(rate_as_of, '%Y-%m-%d') AS rate_day
         FROM ${parquet}`,
    );

    expect(rows).toEqual([
      {
        transaction_id: 'tx-1',
        amount: '0.000000000000000001',
        amount_base: '0.000000000000000000',
        rate: '16730.750000000000000000',
        amount_type: 'DECIMAL(38,18)',
        high_value_alert: 'true',
        merchant_category: null,
        country: null,
        ts: '2024-01-10T12:34:56.789',
        rate_day: '2024-01-10',
      },
      {
        transaction_id: 'tx-2',
        amount: '138050.000000000000000000',
        amount_base: '1016.300000000000000000',
        rate: '0.007361825425563202',
        amount_type: 'DECIMAL(38,18)',
        high_value_alert: 'false',
        merchant_category: 'restaurant',
        country: 'JP',
        ts: '2024-01-10T12:34:56.789',
        rate_day: '2024-01-10',
      },
    ]);
  });

  it('has no user_id column and gives the same bytes whatever the input order', () => {
    expect(CURATED_TRANSACTION_COLUMNS.map((c) => c.name)).not.toContain('user_id');
    expect(
      Buffer.from(curatedTransactionsParquet([base, second])).equals(
        Buffer.from(curatedTransactionsParquet([second, base])),
      ),
    ).toBe(true);
  });
});
