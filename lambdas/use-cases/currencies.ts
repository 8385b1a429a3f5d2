import type { z } from 'zod';
import { findCurrency, listCurrencies, type Currency } from '../domain/currency';
import { UnsupportedCurrencyError } from '../domain/errors';
import type { CurrencyChanges, CurrencyStore, SupportedCurrency } from '../ports/currency-store';
import type { Schemas } from '../shared/api-contract';
import { NotFoundError, type Operations } from '../shared/http';

export interface CurrencyDeps {
  readonly currencies: CurrencyStore;
}

export type CurrencyView = z.output<typeof Schemas.Currency>;

export const currencyView = (c: SupportedCurrency): CurrencyView => ({
  code: c.code,
  name: c.name,
  minorUnits: c.minorUnits,
  kind: c.kind,
  enabled: c.enabled,
});

export async function listSupportedCurrencies(deps: CurrencyDeps): Promise<{ items: CurrencyView[] }> {
  return { items: (await deps.currencies.list()).map(currencyView) };
}

/** PUT semantics: a deleted ISO 4217 or supported crypto code comes back with the changes applied. */
export async function updateCurrency(deps: CurrencyDeps, code: string, changes: CurrencyChanges): Promise<CurrencyView> {
  const updated = await deps.currencies.update(code, changes, findCurrency(code));
  if (!updated) throw new NotFoundError(`Currency ${code} is not supported`, { currency: code });
  return currencyView(updated);
}

export async function deleteCurrency(deps: CurrencyDeps, code: string): Promise<void> {
  if (!(await deps.currencies.remove(code))) {
    throw new NotFoundError(`Currency ${code} is not supported`, { currency: code });
  }
}

/**
 * Adds the currencies the platform knows (ISO 4217 and the supported crypto assets) that were
 * never stored. Idempotent; an administrator's edits and deletions survive every run.
 */
export async function seedCurrencies(
  deps: CurrencyDeps,
  currencies: readonly Currency[] = listCurrencies(),
): Promise<{ readonly added: readonly string[]; readonly known: number }> {
  const added = await deps.currencies.addMissing(currencies);
  return { added, known: currencies.length };
}

/** The stored, enabled currency, or UnsupportedCurrencyError (422). */
export async function requireEnabledCurrency(store: CurrencyStore, code: string): Promise<SupportedCurrency> {
  return checkEnabled(await store.get(code), code);
}

export function checkEnabled(currency: SupportedCurrency | undefined, code: string): SupportedCurrency {
  if (!currency || !currency.enabled) {
    const why = currency ? 'is disabled' : 'is not supported';
    throw new UnsupportedCurrencyError(`Currency ${code} ${why}; GET /v1/currencies lists the supported ones`, {
      currency: code,
      ...(currency ? { enabled: false } : {}),
    });
  }
  return currency;
}

export const currencyOperations = {
  listCurrencies: (_request, deps) => listSupportedCurrencies(deps),
  putCurrency: ({ params, body }, deps) => updateCurrency(deps, params.code, body),
  deleteCurrency: ({ params }, deps) => deleteCurrency(deps, params.code),
} satisfies Operations<CurrencyDeps>;
