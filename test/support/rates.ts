import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEcbXml } from '../../lambdas/adapters/http/ecb-rate-provider';
import {
  buildSnapshot,
  snapshotIdOf,
  type PublishedRate,
  type RateProviderName,
  type RateSnapshot,
} from '../../lambdas/domain/rate-snapshot';

export const ECB_DAILY_FIXTURE = 'ecb_eurofxref-daily_2022-07-08.xml';

export function rateFixture(name: string): string {
  return readFileSync(join(__dirname, '../fixtures/rates', name), 'utf8');
}

/** The real ECB reference rates of 2022-07-08 (31 currencies), parsed by the ECB adapter. */
export function ecbFixtureSnapshot(): RateSnapshot {
  const [snapshot] = parseEcbXml(rateFixture(ECB_DAILY_FIXTURE));
  return snapshot;
}

/** A valid snapshot; `rates` maps quote to the published digits. */
export function snapshotOf(
  asOf: string,
  rates: Readonly<Record<string, string>> | readonly PublishedRate[],
  options: { provider?: RateProviderName; base?: string } = {},
): RateSnapshot {
  const list = Array.isArray(rates)
    ? (rates as readonly PublishedRate[])
    : Object.entries(rates).map(([quote, rate]) => ({ quote, rate }));
  return buildSnapshot(options.provider ?? 'ecb', options.base ?? 'EUR', asOf, list);
}

/**
 * A message body that looks like a snapshot but breaks its rules (here: a rate of "0"), built
 * by hand because buildSnapshot would refuse it.
 */
export function snapshotWithZeroRate(asOf: string): RateSnapshot {
  return {
    snapshotId: snapshotIdOf('ecb', 'EUR', asOf),
    provider: 'ecb',
    base: 'EUR',
    asOf,
    rates: [
      { quote: 'USD', rate: '0' },
      { quote: 'JPY', rate: '138.05' },
    ],
  };
}
