import { describe, expect, it } from 'vitest';
import { describeOffset, describeOffsetFromHere } from '../../../server/cameras/camera.errors.js';
import { jpegSize, readFrameCrc } from '../../../server/ingest/ffmpeg.grab.js';
import { pickDefaults, rewriteUri } from '../../../server/cameras/onvif.probe.js';

describe('default streams', () => {
  const p = (token: string, width: number, height: number) => ({ token, width, height });
  it('detect: the smallest profile at least 640 wide; record: the largest', () => {
    expect(pickDefaults([p('main', 2560, 1440), p('sub', 640, 480), p('third', 1280, 720), p('tiny', 352, 288)])).toEqual({ detect: 'sub', record: 'main' });
  });
  it('a camera whose profiles are all small detects and records on the largest', () => {
    expect(pickDefaults([p('a', 320, 240), p('b', 480, 270)])).toEqual({ detect: 'b', record: 'b' });
  });
});

describe('stream URI rewriting (NAT)', () => {
  const reached = new URL('http://203.0.113.7:8080/onvif/device_service');
  it('keeps scheme, port, path and query, drops credentials, swaps the host', () => {
    expect(rewriteUri('rtsp://admin:pw@192.168.1.64:554/Streaming/Channels/101?transportmode=unicast', reached, true, 'rtsp')).toEqual({
      uri: 'rtsp://203.0.113.7:554/Streaming/Channels/101?transportmode=unicast',
      advertised: 'rtsp://192.168.1.64:554/Streaming/Channels/101?transportmode=unicast',
    });
  });
  it('leaves the host alone without preserveAddress, and when it already matches', () => {
    expect(rewriteUri('rtsp://192.168.1.64/live', reached, false, 'rtsp')).toEqual({ uri: 'rtsp://192.168.1.64/live', advertised: null });
    expect(rewriteUri('rtsp://203.0.113.7/live', reached, true, 'rtsp')).toEqual({ uri: 'rtsp://203.0.113.7/live', advertised: null });
  });
  it('refuses what is not a stream URL', () => {
    expect(rewriteUri('not a uri', reached, true, 'rtsp')).toBeNull();
    expect(rewriteUri('file:///etc/passwd', reached, true, 'rtsp')).toBeNull();
    expect(rewriteUri('rtsp://x/y', reached, true, 'http')).toBeNull();
  });
});

describe('measurements', () => {
  it('reads codec and measured fps from a framecrc listing', () => {
    const text =
      '#tb 0: 1/90000\n#media_type 0: video\n#codec_id 0: h264\n#dimensions 0: 640x360\n' +
      Array.from({ length: 16 }, (_, i) => `0,${i * 9000},${i * 9000},9000,1234,0xabcdef`).join('\n') +
      '\n[rtsp @ 0x1] some warning';
    expect(readFrameCrc(text)).toEqual({ codec: 'h264', fps: 10 });
    expect(readFrameCrc('')).toEqual({ codec: null, fps: null });
  });
  it('reads width and height from the JPEG itself', () => {
    const sof = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x68, 0x02, 0x80, 0x03]);
    expect(jpegSize(sof)).toEqual({ width: 640, height: 360 });
    expect(jpegSize(Buffer.from('not a jpeg'))).toBeNull();
  });
  it('says how far a clock is off in words', () => {
    expect(describeOffset(-3 * 365 * 86_400_000 - 5 * 86_400_000)).toBe('3 years 5 days behind');
    expect(describeOffset(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 5 min ahead');
    // a measured offset a little short of whole days still reads as the days it is
    expect(describeOffset(-(3 * 365 + 5) * 86_400_000 + 373)).toBe('3 years 5 days behind');
    expect(describeOffsetFromHere(90_000)).toBe("90 s ahead of this computer's clock");
  });
});
