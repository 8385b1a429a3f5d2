import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEcbXml } from '../../lambdas/adapters/http/ecb-rate-provider';

/** Where ECB serves its reference-rate files; the ECB provider's `baseUrl` is this directory. */
export const ECB_DIRECTORY = '/stats/eurofxref/';

export interface EcbMirror {
  /** The directory URL, for `npm run backfill -- --url`. */
  readonly url: string;
  /** The daily file's URL, for `npm start -- --rates-provider ecb --rates-url`. */
  readonly dailyUrl: string;
  readonly days: { readonly first: string; readonly last: string; readonly count: number };
  stop(): Promise<void>;
}

/**
 * Serves an ECB history file (eurofxref-hist format) the way www.ecb.europa.eu does: as
 * `eurofxref-hist.xml` and `eurofxref-hist-90d.xml`, and its newest day alone as
 * `eurofxref-daily.xml`, so the backfill and `--rates-url` examples need no network.
 */
export async function startEcbMirror(xml: string, port = 0): Promise<EcbMirror> {
  const snapshots = parseEcbXml(xml, new Date());
  const days = snapshots.map((s) => s.rateDate).sort();
  const files: Record<string, string> = {
    'eurofxref-hist.xml': xml,
    'eurofxref-hist-90d.xml': xml,
    'eurofxref-daily.xml': dailyFileOf(xml, days.at(-1)!),
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const body = path.startsWith(ECB_DIRECTORY) ? files[path.slice(ECB_DIRECTORY.length)] : undefined;
    if (req.method !== 'GET' || body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not mirrored: ${path}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/xml' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${ECB_DIRECTORY}`;
  return {
    url: base,
    dailyUrl: `${base}eurofxref-daily.xml`,
    days: { first: days[0], last: days.at(-1)!, count: days.length },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The history file with only its `<Cube time="day">` kept: what ECB's daily file holds that day. */
function dailyFileOf(xml: string, day: string): string {
  // A day's cube holds self-closing rate cubes only, so its own </Cube> is the first one after it.
  const dayCube = new RegExp(`<Cube time=(['"])${day}\\1>[\\s\\S]*?</Cube>`).exec(xml)?.[0];
  if (!dayCube) throw new Error(`no <Cube time="${day}"> in the file`);
  const open = xml.indexOf('<Cube>') + '<Cube>'.length;
  const close = xml.lastIndexOf('</Cube>');
  return `${xml.slice(0, open)}${dayCube}${xml.slice(close)}`;
}
