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
