import type { DynamoDBRecord } from 'aws-lambda';
import type { RateHistoryChange } from '../../use-cases/export-rates';
import { HISTORY_PK_PREFIX, toSeriesSnapshot } from './rate-series-items';
import { writtenItem, type WrittenEvents } from './stream-images';

const HISTORY_WRITES: WrittenEvents = ['INSERT', 'MODIFY'];

/**
 * The Lambda event-source filter that lets only written history items through (`SERIES#…`,
 * inserted, or rewritten by a re-fetch that changed them): latest items, which every fetch
 * rewrites, never reach export-rates. The handler applies `rateHistoryChange` as well.
 */
export const RATE_HISTORY_FILTER = {
  eventName: [...HISTORY_WRITES],
  dynamodb: { Keys: { pk: { S: [{ prefix: HISTORY_PK_PREFIX }] } } },
};

/**
 * A publication written to a series' history, from its stream record (NEW_IMAGE); undefined for
 * every other change. Its rates are the published digits, listed by quote, so the same item
 * always gives the same rows.
 */
export function rateHistoryChange(record: DynamoDBRecord): RateHistoryChange | undefined {
  const written = writtenItem(record, HISTORY_WRITES);
  if (!written) return undefined;
  const { sequenceNumber, item } = written;
  if (typeof item.pk !== 'string' || !item.pk.startsWith(HISTORY_PK_PREFIX)) return undefined;
  const series = toSeriesSnapshot(item);
  const rates = [...series.rates]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([quote, { rate, orientation }]) => ({ quote, rate, orientation }));
  return { sequenceNumber, publication: { ...series, rates } };
}
