/* global process, console */
// fauxqs (SQS + S3) as the local platform runs it; fauxqs' own dist/server.js always logs every
// request, and a restart would keep the messages a stopped platform left in flight invisible.
//
// Environment: FAUXQS_PORT, FAUXQS_DEFAULT_REGION, FAUXQS_DATA_DIR (SQS persistence),
// FAUXQS_S3_STORAGE_DIR, FAUXQS_LOGGER ("true" logs each request).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startFauxqs } from 'fauxqs';

const env = process.env;

// Persistence restores a received message as still in flight, but the platform that received it
// is gone: make it visible again before fauxqs loads it (as its consumer's crash would, after the
// visibility timeout). Its receive count is kept, so the redrive policy still counts the receive.
const released = env.FAUXQS_DATA_DIR ? releaseInFlight(join(env.FAUXQS_DATA_DIR, 'fauxqs.db')) : 0;

const server = await startFauxqs({
  port: Number(env.FAUXQS_PORT ?? 0),
  defaultRegion: env.FAUXQS_DEFAULT_REGION,
  logger: env.FAUXQS_LOGGER === 'true',
  dataDir: env.FAUXQS_DATA_DIR,
  s3StorageDir: env.FAUXQS_S3_STORAGE_DIR,
});
if (released > 0) console.log(`made ${released} message(s) left in flight by the last run visible again`);
console.log(`fauxqs listening on port ${server.port}`);

const stop = () => server.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

/** Clears the in-flight state fauxqs persisted (its own load does the same once a visibility timeout passed). */
function releaseInFlight(file) {
  if (!existsSync(file)) return 0;
  const db = new DatabaseSync(file);
  try {
    return Number(db.prepare('UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE receipt_handle IS NOT NULL').run().changes);
  } finally {
    db.close();
  }
}
