import { quotePerBase } from '../../domain/rate-snapshot';
import type { CuratedRatePublication } from '../../use-cases/export-rates';
import { rowProblem, type ColumnSpec, type Row } from './column-values';

/** curated/rates columns; Glue and the local Athena stand-in read the same list. */
export const CURATED_RATE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'snapshot_id', kind: 'string' },
  { name: 'provider', kind: 'string' },
  { name: 'base_currency', kind: 'string' },
  { name: 'quote_currency', kind: 'string' },
  /** The provider's number, exactly (its orientation says which way round it reads). */
  { name: 'rate', kind: 'decimal', precision: 38, scale: 18 },
  { name: 'rate_published', kind: 'string' },
  { name: 'orientation', kind: 'string' },
  /** Quote per base; an inverted crypto price is rounded to 18 places here, never upstream. */
  { name: 'quote_per_base', kind: 'decimal', precision: 38, scale: 18 },
  /** From when the publication is in force (ECB: 16:00 Berlin on its rate date). */
  { name: 'in_force_from', kind: 'timestamp' },
  /** The provider's own date (ECB, Frankfurter) or the UTC date of in_force_from, "YYYY-MM-DD". */
  { name: 'rate_date', kind: 'string' },
];

export function curatedRateRows(snapshot: CuratedRatePublication): Row[] {
  return snapshot.rates.map((r) => ({
    snapshot_id: snapshot.snapshotId,
    provider: snapshot.provider,
    base_currency: snapshot.base,
    quote_currency: r.quote,
    rate: r.rate,
    rate_published: r.rate,
    orientation: r.orientation ?? 'quote-per-base',
    quote_per_base: quotePerBase(r).toDecimalPlaces(18).toFixed(18),
    in_force_from: snapshot.inForceFrom,
    rate_date: snapshot.rateDate,
  }));
}

/** Why the curated table cannot hold the publication exactly (a rate wider than DECIMAL(38,18)), or undefined. */
export function curatedRatesProblem(snapshot: CuratedRatePublication): string | undefined {
  for (const row of curatedRateRows(snapshot)) {
    const problem = rowProblem(CURATED_RATE_COLUMNS, row);
    if (problem) return problem;
  }
  return undefined;
}
