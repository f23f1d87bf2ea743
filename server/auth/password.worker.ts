import { scryptSync } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { ScryptJob, ScryptReply } from './password.pool.js';

/**
 * One scrypt at a time, synchronously, on this thread: the async form would queue on libuv's
 * shared thread pool, where it starves the database driver (the cause of issue 12's DoS).
 */
parentPort!.on('message', (job: ScryptJob) => {
  let reply: ScryptReply;
  try {
    const key = scryptSync(job.password, Buffer.from(job.salt), job.keyLen, job.opts);
    reply = { id: job.id, key: new Uint8Array(key) };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
