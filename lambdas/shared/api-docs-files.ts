/** What the api-docs function ships beside its bundle (lib/api-docs writes it at synth time). */
export const API_DOCS_FILES = {
  /** The directory, under LAMBDA_TASK_ROOT. */
  dir: 'api-docs',
  openApi: 'openapi.json',
  script: 'swagger-ui-bundle.js',
  styles: 'swagger-ui.css',
} as const;
