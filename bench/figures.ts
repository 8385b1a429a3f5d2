/**
 * What every bench/*.bench.ts returns from `run()`: one row per measured figure. bench/run.ts
 * runs them all in one process, prints one table (figure, value, target, met or missed) and
 * writes bench/results.json.
 */
export interface BenchFigure {
  /** What was measured, e.g. "process-transactions records/s (one core)". */
  readonly figure: string;
  /** The measured value, already rounded for display (numbers) or a short text. */
  readonly value: number | string;
  readonly unit?: string;
  /** The target in words, e.g. ">= 100000" or "<= 1.5x baseline"; omitted for context figures. */
  readonly target?: string;
  /** Whether the target is met; omitted when there is no target. */
  readonly met?: boolean;
  /** Why a target was missed or how the figure was taken, printed under the table. */
  readonly note?: string;
}
