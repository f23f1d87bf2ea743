import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A server whose object detector cannot start still records and shows cameras, but police
 * would wait for alerts that never come: health must say so, with the reason.
 */
describe('health with a detector that cannot start', () => {
  let srv: TestServer;
  beforeAll(async () => {
    // tfjs-node cannot install on these machines (its install downloads libtensorflow), so asking for it fails like a broken install.
    srv = await startTestServer({ detect: { backend: 'tfjs-node' } });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('answers degraded, names no backend and gives the reason', async () => {
    const res = await fetch(`${srv.url}/api/health`);
    const body = (await res.json()) as { status: string; detector: { backend: string | null; error: string | null } };
    expect(res.status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.detector.backend).toBeNull();
    expect(body.detector.error).toMatch(/tfjs-node/);
  });
});

/** Recording that is about to stop for lack of disk is not "ok" either. */
describe('health with the recordings disk below its free-space floor', () => {
  let srv: TestServer;
  beforeAll(async () => {
    // A floor no disk can meet: the first sweep finds free space below it, with nothing to delete.
    srv = await startTestServer({ retention: { minFreeGb: 1_000_000 } });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('answers degraded with the disk state low and a readable reason', async () => {
    await expect
      .poll(async () => ((await (await fetch(`${srv.url}/api/health`)).json()) as { disk: { state: string } }).disk.state, { timeout: 15_000 })
      .toBe('low');
    const body = (await (await fetch(`${srv.url}/api/health`)).json()) as { status: string; disk: { message: string | null } };
    expect(body.status).toBe('degraded');
    expect(body.disk.message).toMatch(/\S/);
  });
});
