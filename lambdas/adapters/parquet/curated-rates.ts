import { toParquet } from './parquet-table';
import type { CuratedRatePublication } from '../../use-cases/export-rates';
import { CURATED_RATE_COLUMNS, curatedRateRows } from './curated-rate-rows';

/** One Parquet object per publication, its rates in the order given. */
export const curatedRatesParquet = (snapshot: CuratedRatePublication): Uint8Array =>
  toParquet(CURATED_RATE_COLUMNS, curatedRateRows(snapshot));
