import { HttpReply, withHttp, type ApiEvent } from '../shared/http';
import { observability } from '../shared/observability';
import { DOCS_CONTENT_SECURITY_POLICY, docsPage, openApiDocument } from '../shared/openapi';

const { logger } = observability('api-docs');

/** `https://host/stage` as the caller reached the API (the stage prefix is what the path lacks). */
function serverUrl(event: ApiEvent): string | undefined {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const host = headers.host ?? event.requestContext?.domainName;
  if (!host) return undefined;
  const fullPath = event.requestContext?.path ?? '';
  const prefix = event.path && fullPath.endsWith(event.path) ? fullPath.slice(0, -event.path.length) : '';
  return `${headers['x-forwarded-proto'] ?? 'https'}://${host}${prefix}`;
}

/** GET /v1/openapi.json and GET /v1/docs: public, generated from the contract. */
export const handler = withHttp(
  {
    openApi: async ({ event }) => openApiDocument({ serverUrl: serverUrl(event) }),
    docs: async ({ event }) =>
      new HttpReply(docsPage(openApiDocument({ serverUrl: serverUrl(event) })), {
        headers: { 'content-security-policy': DOCS_CONTENT_SECURITY_POLICY },
      }),
  },
  {},
  { logger },
);
