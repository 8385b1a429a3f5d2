import { SESv2Client } from '@aws-sdk/client-sesv2';
import { AWS_CLIENT_CONFIG } from './aws-client-config';

let client: SESv2Client | undefined;

/**
 * The SES v2 client, created once per execution environment, in the stage's SES region (the
 * function's own when none is configured). Locally AWS_ENDPOINT_URL_SESV2 points it at the emulator.
 */
export function sesClient(region?: string): SESv2Client {
  client ??= new SESv2Client({ ...AWS_CLIENT_CONFIG, ...(region ? { region } : {}) });
  return client;
}
