/**
 * Domain failures. Each carries a stable machine-readable `code` and optional `details`;
 * the API layer maps them to HTTP responses, the domain knows nothing about HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidAmountError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_AMOUNT', message, details);
  }
}

export class UnsupportedCurrencyError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('UNSUPPORTED_CURRENCY', message, details);
  }
}

export class InvalidRateError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_RATE', message, details);
  }
}

export class RateNotFoundError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('RATE_NOT_FOUND', message, details);
  }
}

/** No rate could be given: NO_RATE_AT_TIME, RATE_STALE, or RATE_NOT_FOUND (nothing connects the currencies). */
export class NoRateError extends DomainError {
  constructor(code: 'NO_RATE_AT_TIME' | 'RATE_STALE' | 'RATE_NOT_FOUND', message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
