import fc from 'fast-check';
import {
  crossedThresholds,
  crosses,
  crossingOutcome,
  holds,
  rearmedLevels,
  rearmLevel,
  rearmOutcome,
  rearmsAt,
  thresholdProblem,
} from '../../../lambdas/domain/alert-rule';
import { Decimal } from '../../../lambdas/domain/decimal';
import { gridAbove, gridBelow, gridCeil, gridFloor } from '../../../lambdas/domain/number-grid';

const d = (text: string) => new Decimal(text);

/** A positive decimal as an exact fraction of BigInts: digits / 10^scale. */
function fraction(text: string): { n: bigint; scale: number } {
  const [whole, frac = ''] = text.split('.');
  return { n: BigInt(whole + frac), scale: frac.length };
}
/** Compares two plain decimal strings exactly, without decimal.js (an independent reference). */
function compare(a: string, b: string): number {
  const x = fraction(a);
  const y = fraction(b);
  const scale = Math.max(x.scale, y.scale);
  const xn = x.n * 10n ** BigInt(scale - x.scale);
  const yn = y.n * 10n ** BigInt(scale - y.scale);
  return xn < yn ? -1 : xn > yn ? 1 : 0;
}
/** Significant digits of a plain positive decimal string. */
const significant = (text: string) => text.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;

describe('alert conditions: strict, so a rate exactly at the threshold holds neither', () => {
  it.each([
    ['above', '1.1000', '1.1001', true],
    ['above', '1.1000', '1.1000', false],
    ['above', '1.1000', '1.10', false],
    ['above', '1.1000', '1.0999', false],
    ['below', '1.1000', '1.0999', true],
    ['below', '1.1000', '1.1', false],
    ['below', '1.1000', '1.1001', false],
  ] as const)('%s %s at %s: %s', (condition, threshold, rate, expected) => {
    expect(holds(condition, d(threshold), d(rate))).toBe(expected);
  });
});

describe('crossings', () => {
  it('an above rule crosses on a rise past the threshold, not on the fall back', () => {
    expect(crosses('above', d('1.10'), d('1.09'), d('1.11'))).toBe(true);
    expect(crosses('above', d('1.10'), d('1.11'), d('1.09'))).toBe(false);
  });

  it('a below rule crosses on a fall past the threshold, not on the rise back', () => {
    expect(crosses('below', d('1.10'), d('1.11'), d('1.09'))).toBe(true);
    expect(crosses('below', d('1.10'), d('1.09'), d('1.11'))).toBe(false);
  });

  it('landing exactly on the threshold does not cross; leaving it past the threshold does', () => {
    expect(crosses('above', d('1.10'), d('1.09'), d('1.10'))).toBe(false);
    expect(crosses('above', d('1.10'), d('1.10'), d('1.1000001'))).toBe(true);
    expect(crosses('below', d('1.10'), d('1.11'), d('1.100'))).toBe(false);
    expect(crosses('below', d('1.10'), d('1.100'), d('1.0999999'))).toBe(true);
  });

  it('a move that stays on one side never crosses', () => {
    expect(crosses('above', d('1.10'), d('1.11'), d('1.12'))).toBe(false);
    expect(crosses('below', d('1.10'), d('1.08'), d('1.07'))).toBe(false);
  });
});

describe('the 38-digit grid', () => {
  it('gives the neighbours of values on it, finer just below a power of ten', () => {
    expect(gridBelow(d('1.5')).toFixed()).toBe(`1.4${'9'.repeat(36)}`);
    expect(gridAbove(d('1.5')).toFixed()).toBe(`1.5${'0'.repeat(35)}1`);
    expect(gridBelow(d('1')).toFixed()).toBe(`0.${'9'.repeat(38)}`);
    expect(gridBelow(d('1000')).toFixed()).toBe(`999.${'9'.repeat(35)}`);
    expect(gridAbove(d(`9.${'9'.repeat(37)}`)).toFixed()).toBe('10');
  });

  it('bounds a 60-digit rate by the 38-digit values on either side', () => {
    const rate = d('1.0950').div('0.337');
    expect(gridFloor(rate).toFixed()).toBe('3.2492581602373887240356083086053412462');
    expect(gridCeil(rate).toFixed()).toBe('3.2492581602373887240356083086053412463');
    expect(gridBelow(rate).toFixed()).toBe(gridFloor(rate).toFixed());
    expect(gridAbove(rate).toFixed()).toBe(gridCeil(rate).toFixed());
  });
});

describe('crossedThresholds: exactly the stored thresholds a move crosses', () => {
  /** A decimal of 1 to 38 significant digits between 0.0001 and 10000. */
  const gridValue = fc
    .tuple(fc.bigInt({ min: 1n, max: 10n ** 38n - 1n }), fc.integer({ min: 0, max: 38 }), fc.integer({ min: 1, max: 38 }))
    .map(([n, scale, digits]) => {
      const text = n.toString().slice(0, digits);
      const value = d(text).div(d('10').pow(scale));
      return value.gte('0.0001') && value.lte('10000') ? value.toFixed() : '1';
    });
  /** A rate as the resolver gives it: a fraction of published numbers, 60 digits. */
  const rate = fc.tuple(gridValue, gridValue).map(([a, b]) => d(a).div(b).toFixed());

  it('holds a threshold if and only if the move crosses it (checked with exact fractions)', () => {
    fc.assert(
      fc.property(rate, rate, gridValue, (r0, r1, threshold) => {
        for (const condition of ['above', 'below'] as const) {
          const range = crossedThresholds(condition, d(r0), d(r1));
          const inRange = range !== undefined && compare(range.from!.toFixed(), threshold) <= 0 && compare(threshold, range.to!.toFixed()) <= 0;
          const expected = condition === 'above' ? compare(r0, threshold) <= 0 && compare(threshold, r1) < 0 : compare(r1, threshold) < 0 && compare(threshold, r0) <= 0;
          if (inRange !== expected) return false;
          if (range && (significant(range.from!.toFixed()) > 38 || significant(range.to!.toFixed()) > 38)) return false;
        }
        return true;
      }),
      { numRuns: 3000, seed: 20240110 },
    );
  });

  it('takes the exact equality cases: r0 on the threshold is in, r1 on it is out (above)', () => {
    const range = crossedThresholds('above', d('1.10'), d('1.20'))!;
    expect(range.from!.toFixed()).toBe('1.1');
    expect(range.to!.toFixed()).toBe(`1.1${'9'.repeat(36)}`);
    expect(crossedThresholds('above', d('1.20'), d('1.10'))).toBeUndefined();
    expect(crossedThresholds('below', d('1.10'), d('1.20'))).toBeUndefined();
    expect(crossedThresholds('above', d('1.10'), d('1.10'))).toBeUndefined();
  });
});

describe('re-arming (repeat mode)', () => {
  it('re-arms an above rule at or below threshold x (1 - h), a below rule at or above threshold x (1 + h)', () => {
    // 1.1000 x 0.999 = 1.0989 and 1.1000 x 1.001 = 1.1011, by hand.
    expect(rearmLevel('above', d('1.1000'), d('0.1')).toFixed()).toBe('1.0989');
    expect(rearmLevel('below', d('1.1000'), d('0.1')).toFixed()).toBe('1.1011');
    expect(rearmsAt('above', d('1.0989'), d('1.0989'))).toBe(true);
    expect(rearmsAt('above', d('1.0989'), d('1.0995'))).toBe(false);
    expect(rearmsAt('below', d('1.1011'), d('1.1011'))).toBe(true);
    expect(rearmsAt('below', d('1.1011'), d('1.1010'))).toBe(false);
  });

  it('rounds the stored level away from the threshold when it needs more than 38 digits', () => {
    const threshold = d(`1.${'3'.repeat(37)}`);
    const above = rearmLevel('above', threshold, d('0.1'));
    const below = rearmLevel('below', threshold, d('0.1'));
    expect(above.sd()).toBeLessThanOrEqual(38);
    expect(above.lte(threshold.times('0.999'))).toBe(true);
    expect(below.sd()).toBeLessThanOrEqual(38);
    expect(below.gte(threshold.times('1.001'))).toBe(true);
  });

  it('reads the waiting rules a rate re-arms: levels at or above it (above rules), at or below it (below rules)', () => {
    expect(rearmedLevels('above', d('1.08')).from!.toFixed()).toBe('1.08');
    expect(rearmedLevels('below', d('1.12')).to!.toFixed()).toBe('1.12');
  });
});

describe('what a crossing does to a rule', () => {
  const now = new Date('2024-01-10T12:00:00.000Z');
  const at = '2024-01-10T11:59:00.000Z';

  it('e-mails a rule armed before the move', () => {
    expect(crossingOutcome({ armedSince: '2024-01-10T11:00:00.000Z' }, at, now)).toBe('send');
  });

  it('skips a rule armed at or after the move (it watches later publications only)', () => {
    expect(crossingOutcome({ armedSince: at }, at, now)).toBe('skip');
    expect(crossingOutcome({ armedSince: '2024-01-10T11:59:30.000Z' }, at, now)).toBe('skip');
  });

  it('expires a rule past its expiry, even one crossed before it (the e-mail would come too late)', () => {
    expect(crossingOutcome({ armedSince: '2024-01-10T11:00:00.000Z', expiresAt: '2024-01-10T12:00:00.000Z' }, at, now)).toBe('expire');
    expect(crossingOutcome({ armedSince: '2024-01-10T11:00:00.000Z', expiresAt: '2024-01-10T12:00:00.001Z' }, at, now)).toBe('send');
  });

  it('suppresses the e-mail within the cooldown, and sends once it is over', () => {
    expect(crossingOutcome({ cooldownUntil: '2024-01-10T12:30:00.000Z' }, at, now)).toBe('suppress');
    expect(crossingOutcome({ cooldownUntil: '2024-01-10T12:00:00.000Z' }, at, now)).toBe('send');
  });

  it('re-arms a waiting rule on a move after the crossing that fired it, not on an older one', () => {
    expect(rearmOutcome({ waitingSince: '2024-01-10T11:00:00.000Z' }, at, now)).toBe('rearm');
    expect(rearmOutcome({ waitingSince: at }, at, now)).toBe('skip');
    expect(rearmOutcome({ waitingSince: '2024-01-10T11:00:00.000Z', expiresAt: '2024-01-10T11:30:00.000Z' }, at, now)).toBe('expire');
    expect(rearmOutcome({ waitingSince: '2024-01-10T11:00:00.000Z', expiresAt: now.toISOString() }, at, now)).toBe('expire');
    expect(rearmOutcome({ waitingSince: '2024-01-10T11:00:00.000Z', expiresAt: new Date(now.getTime() + 1).toISOString() }, at, now)).toBe('rearm');
  });
});

describe('thresholds', () => {
  it.each([
    ['1.1050', undefined],
    ['0', 'must be greater than 0'],
    ['0.000', 'must be greater than 0'],
    [`1.${'1'.repeat(37)}`, undefined],
    [`1.${'1'.repeat(38)}`, 'has more than 38 significant digits'],
    [`${'9'.repeat(38)}000`, undefined],
  ])('%s: %s', (text, problem) => {
    expect(thresholdProblem(text)).toBe(problem);
  });
});
