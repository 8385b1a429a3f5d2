import { open } from 'node:fs/promises';
import * as path from 'node:path';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Decimal } from '../../lambdas/domain/decimal';
import type { ConsumerActivity, ConsumerTotals, MinuteActivity } from './activity';
import type { QueueUrls } from './provision';

/** One rate as `GET /v1/rates/latest` answers it. */
export interface LatestRate {
  readonly quote: string;
  readonly rate: string;
  readonly asOf: string;
  readonly provider: string;
}

export interface LatestRates {
  readonly base: string;
  readonly rates: readonly LatestRate[];
}

export interface QueueStatus {
  readonly name: string;
  readonly consumer?: string;
  readonly waiting: number;
  readonly inFlight: number;
  readonly deadLetters: number;
}

export interface FunctionError {
  readonly at: string;
  readonly message: string;
}

export interface PlatformStatus {
  readonly generatedAt: string;
  readonly queues: readonly QueueStatus[];
  readonly rates:
    | { readonly base: string; readonly pairs: readonly (LatestRate & { readonly lastHour: readonly string[] })[] }
    | { readonly error: string };
  readonly transactions: { readonly consumer: string; readonly perMinute: readonly MinuteActivity[] };
  /** Batches, processed and failed messages of each queue consumer since start (status.json only). */
  readonly consumers: Readonly<Record<string, ConsumerTotals>>;
  readonly emails: { readonly inbox: string; readonly sent: number; readonly latest: readonly { at: string; to: string; subject: string }[] } | { readonly inbox: string; readonly error: string };
  /** The last errors each function logged, newest last. */
  readonly errors: Readonly<Record<string, readonly FunctionError[]>>;
}

export interface StatusSources {
  readonly sqs: SQSClient;
  readonly queues: Readonly<Record<string, QueueUrls>>;
  /** Which function consumes each queue. */
  readonly consumers: Readonly<Record<string, string>>;
  /** The latest rates, read the way a partner reads them (never from the table's layout). */
  readonly latestRates: () => Promise<LatestRates>;
  readonly samples: RateSamples;
  readonly activity: ConsumerActivity;
  /** The consumer whose processed messages are transactions. */
  readonly transactionsConsumer: string;
  /** The SES emulator (`GET /store` lists sent mail). */
  readonly ses: string;
  readonly logDir: string;
  readonly functions: readonly string[];
  readonly now?: () => number;
}

const HOUR_MS = 3_600_000;
const ERRORS_SHOWN = 3;
/** How much of the end of each function log is scanned for errors. */
const LOG_TAIL_BYTES = 256 * 1024;

/** The latest rates sampled while the platform runs: the last hour of each pair, for sparklines. */
export class RateSamples {
  private samples: { at: number; rates: ReadonlyMap<string, string> }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  add(latest: LatestRates): void {
    const at = this.now();
    this.samples.push({ at, rates: new Map(latest.rates.map((r) => [r.quote, r.rate])) });
    this.samples = this.samples.filter((s) => s.at > at - HOUR_MS);
  }

  /** The pair's sampled rates over the last hour, oldest first. */
  lastHour(quote: string): string[] {
    const since = this.now() - HOUR_MS;
    return this.samples.filter((s) => s.at > since && s.rates.has(quote)).map((s) => s.rates.get(quote)!);
  }
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of decimal strings (scaled with decimals, never floats); flat when nothing moved. */
export function sparkline(values: readonly string[]): string {
  if (values.length === 0) return '';
  const decimals = values.map((v) => new Decimal(v));
  const min = Decimal.min(...decimals);
  const span = Decimal.max(...decimals).minus(min);
  return decimals
    .map((d) => BARS[span.isZero() ? 0 : d.minus(min).div(span).times(BARS.length - 1).round().toNumber()])
    .join('');
}

export async function collectStatus(sources: StatusSources): Promise<PlatformStatus> {
  const now = sources.now ?? Date.now;
  const [queues, rates, emails, errors] = await Promise.all([
    queueStatus(sources),
    rateStatus(sources),
    emailStatus(sources.ses),
    lastErrors(sources.logDir, sources.functions),
  ]);
  return {
    generatedAt: new Date(now()).toISOString(),
    queues,
    rates,
    transactions: { consumer: sources.transactionsConsumer, perMinute: sources.activity.perMinute(sources.transactionsConsumer) },
    consumers: sources.activity.totals(),
    emails,
    errors,
  };
}

async function queueStatus(sources: StatusSources): Promise<QueueStatus[]> {
  const depth = async (url: string) => {
    const { Attributes = {} } = await sources.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return { visible: Number(Attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
  };
  return Promise.all(
    Object.entries(sources.queues).map(async ([name, urls]) => {
      const [queue, dlq] = await Promise.all([depth(urls.url), depth(urls.dlqUrl)]);
      return { name, consumer: sources.consumers[name], waiting: queue.visible, inFlight: queue.inFlight, deadLetters: dlq.visible + dlq.inFlight };
    }),
  );
}

async function rateStatus(sources: StatusSources): Promise<PlatformStatus['rates']> {
  try {
    const latest = await sources.latestRates();
    return {
      base: latest.base,
      pairs: [...latest.rates].sort((a, b) => a.quote.localeCompare(b.quote)).map((r) => ({ ...r, lastHour: sources.samples.lastHour(r.quote) })),
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

async function emailStatus(ses: string): Promise<PlatformStatus['emails']> {
  const inbox = `${ses}/`;
  try {
    const response = await fetch(`${ses}/store`);
    if (!response.ok) throw new Error(`the SES emulator answered ${response.status}`);
    const { emails } = (await response.json()) as { emails: { at: number; subject: string; destination: { to: string[] } }[] };
    return {
      inbox,
      sent: emails.length,
      latest: emails.slice(-5).map((e) => ({ at: new Date(e.at * 1000).toISOString(), to: e.destination.to.join(', '), subject: e.subject })),
    };
  } catch (error) {
    return { inbox, error: (error as Error).message };
  }
}

/** ERROR lines (Powertools JSON, or the local host's invoke errors) at the end of each function's log. */
export async function lastErrors(logDir: string, functions: readonly string[]): Promise<Record<string, FunctionError[]>> {
  const result: Record<string, FunctionError[]> = {};
  for (const name of functions) {
    const errors: FunctionError[] = [];
    for (const line of (await tail(path.join(logDir, `${name}.log`), LOG_TAIL_BYTES)).split('\n')) {
      if (!line.includes('"ERROR"')) continue;
      try {
        const entry = JSON.parse(line) as { level?: string; timestamp?: string; message?: string; error?: { message?: string } };
        if (entry.level !== 'ERROR') continue;
        const detail = entry.error?.message;
        errors.push({ at: entry.timestamp ?? '', message: detail ? `${entry.message}: ${detail}` : String(entry.message) });
      } catch {
        // a line cut by the tail, or not JSON
      }
    }
    result[name] = errors.slice(-ERRORS_SHOWN);
  }
  return result;
}

async function tail(file: string, bytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

const time = (iso: string) => (iso ? iso.slice(11, 19) : '--:--:--');
const shortRate = (rate: string) => new Decimal(rate).toSignificantDigits(8).toString();
const lastMinute = (perMinute: readonly MinuteActivity[]) => perMinute.at(-2)?.processed ?? 0;

/** The status as `npm run local -- status` prints it. */
export function statusText(status: PlatformStatus, pageUrl?: string): string {
  const lines = [`FX platform status at ${time(status.generatedAt)} UTC${pageUrl ? `   (live page: ${pageUrl})` : ''}`, ''];
  lines.push(`Queues${' '.repeat(22)}waiting  in flight    DLQ  consumer`);
  for (const q of status.queues) {
    lines.push(
      `  ${q.name.padEnd(24)}${String(q.waiting).padStart(9)}${String(q.inFlight).padStart(11)}${String(q.deadLetters).padStart(7)}  ${q.consumer ?? '(none yet)'}${q.deadLetters > 0 ? `   <- npm run redrive -- ${q.name}` : ''}`,
    );
  }
  lines.push('');
  if ('error' in status.rates) {
    lines.push(`Latest rates: unavailable (${status.rates.error})`);
  } else {
    lines.push(`Latest rates (base ${status.rates.base}; sparkline = the last hour)`);
    for (const p of status.rates.pairs) {
      lines.push(`  ${p.quote.padEnd(6)}${shortRate(p.rate).padStart(18)}  ${sparkline(p.lastHour).padEnd(60)}  ${p.provider} ${p.asOf}`);
    }
    if (status.rates.pairs.length === 0) lines.push('  (none yet)');
  }
  lines.push('');
  const perMinute = status.transactions.perMinute;
  lines.push(
    `Transactions per minute (${status.transactions.consumer}): ${lastMinute(perMinute)} in the last full minute, ${perMinute.at(-1)?.processed ?? 0} so far this minute`,
    `  last hour: ${sparkline(perMinute.map((m) => String(m.processed)))}`,
    '',
  );
  if ('error' in status.emails) lines.push(`Emails: unavailable (${status.emails.error})`);
  else {
    lines.push(`Emails sent: ${status.emails.sent}   (inbox: ${status.emails.inbox})`);
    for (const e of status.emails.latest) lines.push(`  ${time(e.at)}  ${e.to}  ${e.subject}`);
  }
  lines.push('', 'Last errors per function');
  const failing = Object.entries(status.errors).filter(([, errors]) => errors.length > 0);
  if (failing.length === 0) lines.push('  (none)');
  for (const [name, errors] of failing) {
    for (const e of errors) lines.push(`  ${name.padEnd(22)}${time(e.at)}  ${e.message.slice(0, 160)}`);
  }
  return lines.join('\n');
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The status page the platform serves (it refreshes itself). */
export function statusHtml(status: PlatformStatus): string {
  const row = (cells: readonly (string | number)[]) => `<tr>${cells.map((c) => `<td>${escape(String(c))}</td>`).join('')}</tr>`;
  const head = (cells: readonly string[]) => `<tr>${cells.map((c) => `<th>${escape(c)}</th>`).join('')}</tr>`;
  const rates =
    'error' in status.rates
      ? `<p>unavailable: ${escape(status.rates.error)}</p>`
      : `<table>${head(['pair', 'rate', 'last hour', 'provider', 'as of'])}${status.rates.pairs
          .map((p) => row([`${(status.rates as { base: string }).base}/${p.quote}`, shortRate(p.rate), sparkline(p.lastHour), p.provider, p.asOf]))
          .join('')}</table>`;
  const emails =
    'error' in status.emails
      ? `<p>unavailable: ${escape(status.emails.error)}</p>`
      : `<p>${status.emails.sent} sent — <a href="${escape(status.emails.inbox)}">inbox</a></p><table>${head(['at', 'to', 'subject'])}${status.emails.latest
          .map((e) => row([time(e.at), e.to, e.subject]))
          .join('')}</table>`;
  const errors = Object.entries(status.errors).flatMap(([name, list]) => list.map((e) => row([name, time(e.at), e.message])));
  const perMinute = status.transactions.perMinute;
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>FX platform status</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}td,th{padding:2px 12px;text-align:left;border-bottom:1px solid #ddd}td:nth-child(n+2){font-family:monospace}</style></head>
<body><h1>FX platform status</h1><p>${escape(status.generatedAt)} (refreshes every 10 s)</p>
<h2>Queues</h2><table>${head(['queue', 'waiting', 'in flight', 'DLQ', 'consumer'])}${status.queues
    .map((q) => row([q.name, q.waiting, q.inFlight, q.deadLetters, q.consumer ?? '(none yet)']))
    .join('')}</table>
<h2>Latest rates</h2>${rates}
<h2>Transactions per minute</h2><p>${lastMinute(perMinute)} in the last full minute (${escape(status.transactions.consumer)}); last hour: <span style="font-family:monospace">${sparkline(perMinute.map((m) => String(m.processed)))}</span></p>
<h2>Emails</h2>${emails}
<h2>Last errors per function</h2>${errors.length > 0 ? `<table>${head(['function', 'at', 'error'])}${errors.join('')}</table>` : '<p>none</p>'}
</body></html>
`;
}

/**
 * Reads the latest rates as a partner does: a client-credentials token from the token service,
 * then `GET /v1/rates/latest` with the client's API key. The status page depends on the API's
 * contract only, never on how the rates table lays out its items.
 */
export function latestRatesFromApi(options: {
  readonly api: string;
  readonly tokenUrl: string;
  readonly client: { readonly clientId: string; readonly clientSecret: string; readonly apiKey: string };
  readonly base: string;
}): () => Promise<LatestRates> {
  let token: { value: string; expiresAt: number } | undefined;
  const accessToken = async () => {
    if (token && token.expiresAt > Date.now() + 60_000) return token.value;
    const response = await fetch(options.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${options.client.clientId}:${options.client.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!response.ok || !body.access_token) throw new Error(`the token service answered ${response.status}`);
    token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return token.value;
  };
  return async () => {
    const response = await fetch(`${options.api}/v1/rates/latest?base=${encodeURIComponent(options.base)}`, {
      headers: { authorization: `Bearer ${await accessToken()}`, 'x-api-key': options.client.apiKey },
    });
    const body = (await response.json()) as LatestRates & { error?: { message?: string } };
    if (!response.ok) throw new Error(body.error?.message ?? `GET /v1/rates/latest answered ${response.status}`);
    return body;
  };
}
