import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../server/ingest/ffmpeg.grab.js';

const req = { url: 'http://127.0.0.1:34017/live.m3u8', transport: 'tcp' as const, timeoutMs: 8000, secrets: [] };
const failed = (stderr: string) => ({ code: 1, signal: null, stdout: Buffer.alloc(0), stderr, timedOut: false, missing: false, aborted: false });

describe('what a failed test grab tells the user', () => {
  it('a stream on a port with 401 or 404 in it that fails for another reason is unreachable, not a wrong password or a missing path', () => {
    const e = classifyFailure(
      req,
      failed('[hls @ 0x55] Protocol "file" not on whitelist for http://127.0.0.1:34017/live.m3u8!\nhttp://127.0.0.1:34017/live.m3u8: Invalid argument'),
    );
    expect(e).toMatchObject({ code: 'rtsp_unreachable', status: 502 });
    expect(e.message).not.toMatch(/404/);
  });

  it('a camera answering 401 is a wrong password (422), one answering 404 a missing path', () => {
    expect(classifyFailure(req, failed('[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized'))).toMatchObject({ code: 'wrong_credentials', status: 422 });
    expect(classifyFailure(req, failed('[rtsp @ 0x55] method DESCRIBE failed: 404 Not Found')).message).toMatch(/does not exist \(404\)/);
  });
});
