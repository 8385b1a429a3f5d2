import { createHash } from 'node:crypto';
import type { RateSnapshot } from './rate-snapshot';

/** Hive-style date partitions (`year=2024/month=01/day=05`) of an ISO timestamp, in UTC. */
export function datePartitions(iso: string): string {
  const [year, month, day] = iso.slice(0, 10).split('-');
  return `year=${year}/month=${month}/day=${day}`;
}

/** A partition path `datePartitions` writes, and nothing else. */
export const DATE_PARTITION = /^year=\d{4}\/month=\d{2}\/day=\d{2}$/;

/** Deterministic keys: the same snapshot always lands on the same object, so retries overwrite. */
export const lakeKeys = {
  rawRates: (prefix: string, snapshot: RateSnapshot, extension: string) =>
    `${prefix}/provider=${snapshot.provider}/dt=${snapshot.rateDate}/${snapshot.snapshotId}.${extension}`,
  curatedRates: (prefix: string, snapshot: Pick<RateSnapshot, 'inForceFrom' | 'snapshotId'>) =>
    `${prefix}/${datePartitions(snapshot.inForceFrom)}/${snapshot.snapshotId}.parquet`,
  /**
   * One object per batch and day, named by the hash of the ids it holds: the same batch always
   * lands on the same key, whatever order its records came in.
   */
  curatedBatch: (prefix: string, instant: string, ids: readonly string[]) =>
    `${prefix}/${datePartitions(instant)}/${sha256Hex([...ids].sort(byText).join('\n'))}.parquet`,
};

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
