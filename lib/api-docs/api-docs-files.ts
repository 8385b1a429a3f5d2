import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { API_DOCS_FILES } from '../../lambdas/shared/api-docs-files';
import { openApiDocument } from './openapi-document';

const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/**
 * Writes what the api-docs function serves into `dir`: the OpenAPI document generated from the
 * contract, and Swagger UI's script and styles from the `swagger-ui-dist` package (with its
 * licence). CDK copies the directory beside the bundle; the local platform writes it at start.
 */
export function writeApiDocs(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, API_DOCS_FILES.openApi), JSON.stringify(openApiDocument()));
  for (const file of [API_DOCS_FILES.script, API_DOCS_FILES.styles]) copyFileSync(path.join(SWAGGER_UI, file), path.join(dir, file));
  copyFileSync(path.join(SWAGGER_UI, 'LICENSE'), path.join(dir, 'LICENSE-swagger-ui.txt'));
  return dir;
}
