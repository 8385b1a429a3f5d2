import { figuresOf, table } from '../../../bench/run';

describe('npm run bench: one table for every bench', () => {
  it('prints figure, value, target and met or MISSED, one row per figure, across benches', () => {
    const text = table([
      { bench: 'convert', wallMs: 1, figures: [{ figure: 'convert p99', value: 0.243, unit: 'ms', target: '<= 1 ms', met: true }] },
      { bench: 'api-http', wallMs: 1, figures: [{ figure: 'api p99', value: 47531.344, unit: 'ms', target: '<= 10 ms', met: false }] },
      { bench: 'local-platform', wallMs: 1, figures: [{ figure: 'memory when ready', value: 584, unit: 'MB' }] },
    ]);
    const rows = text.split('\n');
    expect(rows[0]).toMatch(/^\| figure\s+\| +value \| target\s+\| met\?\s+\|$/);
    expect(rows.slice(2)).toEqual([
      expect.stringMatching(/^\| convert p99\s+\| +0\.243 ms \| <= 1 ms\s+\| met\s+\|$/),
      expect.stringMatching(/^\| api p99\s+\| +47,531\.344 ms \| <= 10 ms\s+\| MISSED \|$/),
      expect.stringMatching(/^\| memory when ready\s+\| +584 MB \|\s+\|\s+\|$/),
    ]);
    expect(new Set(rows.map((r) => r.length)).size).toBe(1);
  });

  it('a bench that still returns a plain object shows its fields as context rows', () => {
    expect(figuresOf('process-transactions', { name: 'process-transactions', recordsPerSecond: 22181, awsRequestsPer1000: 387.2 })).toEqual([
      { figure: 'process-transactions: recordsPerSecond', value: 22181 },
      { figure: 'process-transactions: awsRequestsPer1000', value: 387.2 },
    ]);
    const figures = [{ figure: 'x', value: 1, target: '<= 2', met: true }];
    expect(figuresOf('x', figures)).toBe(figures);
  });
});
