/** No SDK import here: a module that only needs the settings loads no client package. */

/**
 * The SDK's own retry for every AWS call the functions make (throttling, 5xx, timeouts,
 * connection errors): standard mode, exponential backoff with jitter, five attempts. Partial
 * failures inside a successful answer are retried by shared/retry.ts.
 */
export const AWS_CLIENT_CONFIG = { retryMode: 'standard', maxAttempts: 5 } as const;

/** S3's settings: emulators serve buckets path-style; AWS uses virtual-hosted style. */
export const s3ClientConfig = () => ({ ...AWS_CLIENT_CONFIG, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

/** SQS's settings: send to the configured endpoint, not to the host inside the queue URL. */
export const sqsClientConfig = () => ({ ...AWS_CLIENT_CONFIG, useQueueUrlAsEndpoint: false });
