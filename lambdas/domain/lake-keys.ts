import type { RateSnapshot } from './rate-snapshot';

/** Hive-style date partitions (`year=2024/month=01/day=05`) of an ISO timestamp, in UTC. */
export function datePartitions(iso: string): string {
  const [year, month, day] = iso.slice(0, 10).split('-');
  return `year=${year}/month=${month}/day=${day}`;
}

/** Deterministic keys: the same snapshot always lands on the same object, so retries overwrite. */
export const lakeKeys = {
  rawRates: (prefix: string, snapshot: RateSnapshot, extension: string) =>
    `${prefix}/provider=${snapshot.provider}/dt=${snapshot.rateDate}/${snapshot.snapshotId}.${extension}`,
  curatedRates: (prefix: string, snapshot: RateSnapshot) =>
    `${prefix}/${datePartitions(snapshot.inForceFrom)}/${snapshot.snapshotId}.parquet`,
};
