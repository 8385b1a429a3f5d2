import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import type { BenchFigure } from './figures';

/**
 * `npm run bench [-- name-filter…]`: runs every bench/*.bench.ts (each exports `run()` returning
 * its figures) one after another in this process, prints one table (figure, value, target, met
 * or missed), the notes under it, and writes bench/results.json. A bench that still returns a
 * plain object has its fields printed as context rows; one that throws is a missed row and makes
 * the exit code 1 (a missed target is a result, printed plainly, not a failure to run). Speed and
 * memory targets live here, never in timed tests.
 */

interface BenchResult {
  readonly bench: string;
  readonly wallMs: number;
  readonly figures: readonly BenchFigure[];
}

async function main(filters: readonly string[]): Promise<number> {
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((filter) => f.includes(filter)))
    .sort();
  const results: BenchResult[] = [];
  for (const file of files) {
    const bench = file.replace('.bench.ts', '');
    process.stderr.write(`running ${bench}…\n`);
    const started = Date.now();
    let figures: BenchFigure[];
    try {
      const { run } = (await import(path.join(__dirname, file))) as { run: () => Promise<unknown> };
      figures = figuresOf(bench, await run());
    } catch (error) {
      figures = [{ figure: `${bench}: the bench failed`, value: 'error', target: 'runs', met: false, note: (error as Error).stack ?? String(error) }];
    }
    results.push({ bench, wallMs: Date.now() - started, figures });
  }
  console.log(table(results));
  const notes = results.flatMap((r) => r.figures.filter((f) => f.note).map((f) => `- ${f.figure}: ${f.note}`));
  if (notes.length > 0) console.log(`\nNotes\n${notes.join('\n')}`);
  const missed = results.flatMap((r) => r.figures).filter((f) => f.met === false);
  console.log(`\n${missed.length === 0 ? 'Every target met.' : `MISSED: ${missed.map((f) => f.figure).join('; ')}`}`);
  writeFileSync(
    path.join(__dirname, 'results.json'),
    `${JSON.stringify({ ranAt: new Date().toISOString(), node: process.version, cpus: cpuModel(), results }, null, 2)}\n`,
  );
  return results.some((r) => r.figures.some((f) => f.value === 'error')) ? 1 : 0;
}

/** A bench's figures; a plain object (a bench not yet on the contract) becomes context rows. */
export function figuresOf(bench: string, result: unknown): BenchFigure[] {
  if (Array.isArray(result)) return result as BenchFigure[];
  if (result && typeof result === 'object') {
    const { name, ...fields } = result as Record<string, unknown>;
    const prefix = typeof name === 'string' ? name : bench;
    return Object.entries(fields).map(([key, value]) => ({
      figure: `${prefix}: ${key}`,
      value: typeof value === 'number' || typeof value === 'string' ? value : JSON.stringify(value),
    }));
  }
  return [{ figure: bench, value: String(result) }];
}

/** One table for every bench: figure | value | target | met. */
export function table(results: readonly BenchResult[]): string {
  const rows = results.flatMap((r) =>
    r.figures.map((f) => [
      f.figure,
      `${typeof f.value === 'number' ? f.value.toLocaleString('en-US', { maximumFractionDigits: 4 }) : f.value}${f.unit ? ` ${f.unit}` : ''}`,
      f.target ?? '',
      f.met === undefined ? '' : f.met ? 'met' : 'MISSED',
    ]),
  );
  const header = ['figure', 'value', 'target', 'met?'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 1 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...rows.map(line)].join('\n');
}

function cpuModel(): string {
  const all = cpus();
  return `${all.length} x ${all[0]?.model ?? 'unknown'}`;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
