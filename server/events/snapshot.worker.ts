import { parentPort, workerData } from 'node:worker_threads';
import { JpegCodec } from './jpeg.codec.js';
import type { EncodeJob, EncodeReply } from './snapshot.encoder.js';

/**
 * Worker-thread entry (runs compiled, from dist/server/events/snapshot.worker.js): one encode at
 * a time with one codec, whose buffers serve every picture. The JPEG's buffer is moved back.
 */
const codec = new JpegCodec((workerData as { quality: number }).quality);

parentPort!.on('message', (job: EncodeJob) => {
  let reply: EncodeReply;
  try {
    reply = { id: job.id, jpeg: codec.encode(job) };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply, 'jpeg' in reply ? [reply.jpeg.buffer as ArrayBuffer] : []);
});
