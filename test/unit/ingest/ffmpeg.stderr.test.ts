import { describe, expect, it } from 'vitest';
import { explainFailure, parseGraphInputSize, parseInputStream, StderrTail } from '../../../server/ingest/ffmpeg.stderr.js';
import { describeSource, sourceFromStream, urlWithCredentials } from '../../../server/ingest/stream.source.js';
import { redact, redactWith } from '../../../server/shared/redact.js';

describe('StderrTail', () => {
  it('masks credentials in every form ffmpeg could print them, across chunk boundaries', () => {
    const tail = new StderrTail(['s3cr#t pass', 'camuser'], 10);
    tail.push("Input #0, rtsp, from 'rtsp://camuser:s3cr%23t%20pass@10.0.0.5:554/live?token=abc123':\n[rtsp @ 0x1] user camu");
    tail.push('ser failed with s3cr#t pass\n');
    const text = tail.tail().join('\n');
    expect(text).not.toMatch(/camuser|s3cr|abc123/);
    expect(text).toContain('rtsp://***:***@10.0.0.5:554');
  });

  it('keeps only the last lines and reads the input video stream', () => {
    const tail = new StderrTail([], 3);
    tail.push("Input #0, rtsp, from 'rtsp://x':\n  Stream #0:0: Video: hevc (Main), yuvj420p(pc), 2560x1440, 15 fps, 15 tbr, 90k tbn\n");
    tail.push("Output #0, segment, to 'a':\n  Stream #0:0: Video: h264, yuv420p, 640x360\nline5\nline6\n");
    expect(tail.tail()).toEqual(['  Stream #0:0: Video: h264, yuv420p, 640x360', 'line5', 'line6']);
    expect(tail.input).toEqual({ codec: 'hevc', width: 2560, height: 1440, fps: 15 });
  });

  it('parses input stream lines', () => {
    expect(
      parseInputStream('  Stream #0:0[0x100]: Video: h264 (High) ([27][0][0][0] / 0x001B), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 25 fps'),
    ).toMatchObject({ codec: 'h264', width: 1920, height: 1080, fps: 25 });
    expect(parseInputStream('  Stream #0:0: Video: h264 (High), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 10 tbr, 90k tbn')).toMatchObject({ fps: 10 });
    expect(parseInputStream('  Stream #0:1: Audio: pcm_alaw, 8000 Hz')).toBeUndefined();
  });
});

describe('masking short passwords and passwords with an apostrophe (issue 12, finding 5)', () => {
  const where = '10.0.0.5:554/live';
  const masked = `rtsp://***:***@${where}`;
  // 1–3 characters and quotes: too short for literal masking, and the ' once ended the URL match early.
  const passwords = ["'", "''", "a'", "'b", "a'b", 'x', 'ab', "it's", "a'b'c", '%27', "'@:/", 'p a', '"'];

  it.each(passwords)('%j never reaches the stderr tail, percent-encoded or typed raw into the URL', (password) => {
    const url = urlWithCredentials(`rtsp://${where}`, { username: 'cam', password });
    expect(url).not.toContain("'");
    const tail = new StderrTail([password, 'cam'], 10);
    tail.push(`Input #0, rtsp, from '${url}':\n[concat @ 0x1] Impossible to open '${url}'\n`);
    expect(tail.tail()).toEqual([`Input #0, rtsp, from '${masked}':`, `[concat @ 0x1] Impossible to open '${masked}'`]);
    // Typed into the URL by hand (no encoding): only characters a URL can carry raw.
    if (!/[\s"@/%]/.test(password)) {
      const raw = `rtsp://cam:${password}@${where}`;
      expect(redact(`[rtsp @ 0x2] opening '${raw}' failed`)).toBe(`[rtsp @ 0x2] opening '${masked}' failed`);
      expect(redactWith(`{"url":"${raw}"}`, [password])).toBe(`{"url":"${masked}"}`);
    }
  });

  it('still masks longer passwords wherever they appear, raw or encoded, without eating the rest of the line', () => {
    expect(redactWith("auth for it's-me failed, it%27s-me too", ["it's-me"])).toBe('auth for *** failed, *** too');
    expect(redact("from 'rtsp://10.0.0.5/live' and 'user@example'")).toBe("from 'rtsp://10.0.0.5/live' and 'user@example'");
  });
});

describe('explainFailure', () => {
  const where = 'rtsp://10.0.0.5:554';
  it('names a wrong password, a wrong path and a closed port in plain words, without credentials', () => {
    const auth = explainFailure(
      ['[rtsp @ 0x5] method DESCRIBE failed: 401 Unauthorized', 'rtsp://***:***@10.0.0.5:554/x: Server returned 401 Unauthorized (authorization failed)'],
      where,
    );
    expect(auth).toMatchObject({ code: 'auth_failed', fatal: true });
    expect(auth.message).toContain('user name or password');
    expect(auth.message).toContain(where);
    expect(explainFailure(['[rtsp @ 0x5] method DESCRIBE failed: 404 Not Found'], where)).toMatchObject({ code: 'not_found', fatal: true });
    expect(explainFailure(['rtsp://10.0.0.5:554/x: Connection refused'], where)).toMatchObject({ code: 'refused', fatal: false });
    expect(explainFailure(['rtsp://10.0.0.5:554/x: Connection timed out'], where)).toMatchObject({ code: 'timeout' });
    // image2 (snapshot URLs) reports a refused login as a missing file after the 401 line.
    expect(explainFailure(['[http @ 0x1] HTTP error 401 Unauthorized', 'http://***:***@cam/snap.jpg: No such file or directory'], where)).toMatchObject({
      code: 'auth_failed',
    });
  });

  it('falls back to the exit and the last meaningful line', () => {
    const f = explainFailure(['Input #0, rtsp', '  Stream #0:0: Video: h264', 'Something odd happened'], where, { code: 1, signal: null });
    expect(f).toMatchObject({ code: 'exited', fatal: false });
    expect(f.message).toContain('exit code 1');
    expect(f.message).toContain('Something odd happened');
  });
});

describe('stream sources', () => {
  const d = { transport: 'tcp' as const, snapshotFps: 2 };
  it('recognises RTSP, MJPEG, snapshot and file URLs', () => {
    expect(sourceFromStream({ url: 'rtsp://10.0.0.5/s', transport: 'udp' }, d)).toEqual({ kind: 'rtsp', url: 'rtsp://10.0.0.5/s', transport: 'udp' });
    expect(sourceFromStream({ url: 'http://10.0.0.6/video.mjpg' }, d).kind).toBe('mjpeg');
    expect(sourceFromStream({ url: 'http://10.0.0.6/cgi-bin/snapshot.cgi?chn=1' }, d)).toMatchObject({ kind: 'snapshot', fps: 2 });
    expect(sourceFromStream({ url: 'http://10.0.0.6/image.jpg' }, d).kind).toBe('snapshot');
    expect(sourceFromStream({ url: '/srv/v.mp4' }, d)).toMatchObject({ kind: 'file', loop: true, realtime: true });
    expect(() => sourceFromStream({ url: 'ftp://x/y' }, d)).toThrow(/not supported/);
  });

  it('adds percent-encoded credentials only at spawn time and never describes them', () => {
    expect(urlWithCredentials('rtsp://10.0.0.5:554/s', { username: 'ad@min', password: 'p:w/#' })).toBe('rtsp://ad%40min:p%3Aw%2F%23@10.0.0.5:554/s');
    expect(urlWithCredentials('rtsp://10.0.0.5:554/s', undefined)).toBe('rtsp://10.0.0.5:554/s');
    expect(describeSource({ kind: 'rtsp', url: 'rtsp://a:b@10.0.0.5:554/s?token=x', transport: 'tcp' })).toBe('rtsp://10.0.0.5:554');
  });
});

describe('picture size from the filter graph (verbose level)', () => {
  it('reads the buffer source line, and only it, and keeps the chatter out of the tail', () => {
    expect(parseGraphInputSize('[graph 0 input from stream 0:0 @ 0x55] w:480 h:360 pixfmt:yuv420p tb:1/90000 fr:10/1 sar:0/1')).toEqual({
      width: 480,
      height: 360,
    });
    expect(parseGraphInputSize('[scaler_out_1_0 @ 0x55] w:320 h:240 fmt:yuv420p sar:0/1 -> w:320 h:180 fmt:yuv420p sar:0/1 flags:0x0')).toBeUndefined();
    const sizes: { width: number; height: number }[] = [];
    const tail = new StderrTail([], 10, undefined, (s) => sizes.push(s));
    tail.push("[segment @ 0x1] Opening '/x/live/1-000004.ts' for writing\n[AVIOContext @ 0x2] Statistics: 1 bytes written\n");
    tail.push(
      '[graph 0 input from stream 0:0 @ 0x3] w:640 h:360 pixfmt:yuv420p tb:1/90000 fr:10/1 sar:0/1\n[h264 @ 0x4] Reinit context to 480x368, pix_fmt: yuv420p\n',
    );
    expect(sizes).toEqual([{ width: 640, height: 360 }]);
    expect(tail.tail()).toEqual(['[h264 @ 0x4] Reinit context to 480x368, pix_fmt: yuv420p']);
  });
});
