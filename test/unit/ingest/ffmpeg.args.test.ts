import { describe, expect, it } from 'vitest';
import { parseFfmpegVersion } from '../../../server/ingest/ffmpeg.adapter.js';
import { buildSessionArgs, concatScript, inputArgs, RELAY_URL } from '../../../server/ingest/ffmpeg.args.js';
import type { SourceSpec } from '../../../server/ingest/stream.source.js';

const V51 = parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\nlibavformat    59. 27.100 / 59. 27.100\n');
const V41 = parseFfmpegVersion('ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/\nlibavformat    58. 24.100 / 58. 24.100\n');
const opts = { socketTimeoutMs: 5000, decodeThreads: 1 };
const rtsp: SourceSpec = { kind: 'rtsp', url: 'rtsp://10.0.0.5:554/s', transport: 'tcp' };
const withCreds = 'rtsp://u:s3cret@10.0.0.5:554/s';
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('ffmpeg version detection', () => {
  it('reads release versions and maps snapshot builds by libavformat', () => {
    expect(V51).toMatchObject({ major: 5, minor: 1, lavfMajor: 59 });
    expect(V41).toMatchObject({ major: 4, lavfMajor: 58 });
    expect(parseFfmpegVersion('ffmpeg version n6.1.1 …\nlibavformat    60. 16.100')).toMatchObject({ major: 6, minor: 1 });
  });
});

describe('input arguments', () => {
  it('on ffmpeg 5 gives the camera URL in a concat script on stdin, never on the command line', () => {
    const a = inputArgs({ ...rtsp, transport: 'udp' }, withCreds, V51, opts);
    expect(a.args.join(' ')).not.toMatch(/s3cret|10\.0\.0\.5/);
    expect(a.args.slice(0, 4)).toEqual(['-f', 'concat', '-safe', '0']);
    expect(after(a.args, '-protocol_whitelist')).toBe('pipe,rtsp,rtsps,rtp,srtp,udp,tcp,tls,http,https');
    expect(a.args.slice(-2)).toEqual(['-i', 'pipe:0']);
    // Transport and socket timeout (µs) go to the camera's demuxer, inside the script.
    // Transport, socket timeout (µs) and the timestamps are the camera demuxer's, inside the script.
    expect(a.hidden?.script).toBe(
      [
        'ffconcat version 1.0',
        "file 'rtsp://u:s3cret@10.0.0.5:554/s'",
        "option rtsp_transport 'udp'",
        "option timeout '5000000'",
        "option use_wallclock_as_timestamps '1'",
        "option fflags '+genpts+discardcorrupt'",
        "option fpsprobesize '0'",
        '',
      ].join('\n'),
    );
    expect(after(a.args, '-fpsprobesize')).toBe('0');
    // A decoder option: on the command line, for the stream the concat input hands on.
    expect(after(a.args, '-flags')).toBe('low_delay');
  });

  it('makes RTSP robust on 4.x too: wall-clock timestamps, corrupt packets dropped, no frame-rate probing', () => {
    const a = inputArgs(rtsp, rtsp.url, V41, opts).args;
    expect(after(a, '-use_wallclock_as_timestamps')).toBe('1');
    expect(after(a, '-fflags')).toBe('+genpts+discardcorrupt');
    expect(after(a, '-fpsprobesize')).toBe('0');
    expect(after(a, '-flags')).toBe('low_delay');
  });

  it('on 4.x (no concat options) keeps the URL last on the command line, with -stimeout, where -timeout means listen', () => {
    const a4 = inputArgs(rtsp, withCreds, V41, opts);
    expect(a4.hidden).toBeUndefined();
    expect(after(a4.args, '-stimeout')).toBe('5000000');
    expect(a4.args).not.toContain('-timeout');
    expect(after(a4.args, '-rtsp_transport')).toBe('tcp');
    expect(a4.args.slice(-2)).toEqual(['-i', withCreds]);
  });

  it('reads MJPEG through the script too, and puts the analysis time on both inputs', () => {
    const a = inputArgs({ kind: 'mjpeg', url: 'http://cam/video.mjpg' }, 'http://u:p@cam/video.mjpg', V51, { ...opts, analyzeDurationUs: 500_000 });
    expect(after(a.args, '-protocol_whitelist')).toBe('pipe,http,https,tcp,tls');
    expect(after(a.args, '-analyzeduration')).toBe('500000');
    expect(a.hidden?.script).toContain("option analyzeduration '500000'");
    expect(a.hidden?.script).toContain("file 'http://u:p@cam/video.mjpg'");
  });

  it('quotes apostrophes in the script and refuses control characters, which would start a directive of their own', () => {
    expect(concatScript("rtsp://h/it's", {})).toContain("file 'rtsp://h/it'\\''s'");
    expect(() => concatScript('rtsp://h/x\noption protocol_whitelist file', {})).toThrow(/control characters/);
  });

  it('paces and loops files only when asked', () => {
    const once = inputArgs({ kind: 'file', path: '/v.mp4', loop: false, realtime: false }, '', V51, opts).args;
    expect(once).not.toContain('-re');
    expect(once).not.toContain('-stream_loop');
    const live = inputArgs({ kind: 'file', path: '/v.mp4', loop: true, realtime: true }, '', V51, opts).args;
    expect(live).toContain('-re');
    expect(after(live, '-stream_loop')).toBe('-1');
  });

  it('polls snapshot URLs with image2 at the configured rate, through the relay', () => {
    const a = inputArgs({ kind: 'snapshot', url: 'http://cam/snap.jpg', fps: 2 }, 'http://u:p@cam/snap.jpg', V41, opts);
    expect(after(a.args, '-f')).toBe('image2');
    expect(after(a.args, '-framerate')).toBe('2');
    expect(a.args).toContain('-re');
    expect(a.args.slice(-2)).toEqual(['-i', RELAY_URL]);
    expect(a.hidden).toEqual({ relayUrl: 'http://u:p@cam/snap.jpg', relayTimeoutMs: 5000 });
  });
});

describe('session arguments', () => {
  const record = { liveDir: '/data/recordings/3/live', filePrefix: '1700000000000', segmentSeconds: 4 };
  const all = buildSessionArgs(rtsp, rtsp.url, { record, frames: { fps: 5, width: 640 }, jpeg: { fps: 1, width: 640, quality: 7 } }, V51, opts);

  it('lays out the pipes: progress on 3, segment list on 4, JPEGs on 5, frames on stdout', () => {
    expect(all.pipes).toEqual({ progress: 3, segments: 4, jpeg: 5, count: 3 });
    expect(after(all.args, '-progress')).toBe('pipe:3');
    expect(after(all.args, '-segment_list')).toBe('pipe:4');
    expect(all.args).toContain('pipe:5');
    expect(all.args.at(-1)).toBe('pipe:5');
  });

  it('records by stream copy into MPEG-TS segments without audio, first output', () => {
    const i = all.args.indexOf('-f', all.args.indexOf('pipe:0'));
    expect(all.args[i + 1]).toBe('segment');
    expect(after(all.args, '-c:v')).toBe('copy');
    expect(after(all.args, '-segment_format')).toBe('mpegts');
    expect(after(all.args, '-segment_time')).toBe('4');
    expect(after(all.args, '-reset_timestamps')).toBe('1');
    expect(after(all.args, '-segment_format_options')).toBe('flush_packets=1');
    expect(all.args).toContain('/data/recordings/3/live/1700000000000-%06d.ts');
    expect(all.args.filter((a) => a === '-an').length).toBe(3);
  });

  it('samples frames at a constant rate without holding one back: a select= gate, scale= keeping the aspect ratio, the muxer at -r 5 cfr, as yuv420p', () => {
    const vf = all.args[all.args.indexOf('-vf')]!;
    expect(vf).toBe('-vf');
    const chain = after(all.args, '-vf')!;
    // No fps= filter: it holds each frame until the next one arrives.
    expect(chain).not.toMatch(/(^|,)fps=/);
    expect(chain.indexOf('select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,0.1),')).toBe(0);
    expect(chain).toMatch(/scale=w=trunc\(min\(640\\,iw\)\/2\)\*2:h=-2/);
    expect(after(all.args, '-pix_fmt')).toBe('yuv420p');
    expect(after(all.args, '-r')).toBe('5');
    expect(after(all.args, '-fps_mode')).toBe('cfr');
    expect(all.args[all.args.indexOf('pipe:1') - 1]).toBe('yuv4mpegpipe');
  });

  it('keeps fps= for a file read as fast as it decodes (exact frame count, latency means nothing there)', () => {
    const file = buildSessionArgs({ kind: 'file', path: '/m/a.mp4', loop: false, realtime: false }, '', { frames: { fps: 5, width: 320 } }, V51, opts);
    expect(after(file.args, '-vf')!.indexOf('fps=5:start_time=0,')).toBe(0);
    expect(after(file.args, '-fps_mode')).toBe('passthrough');
    expect(file.args).not.toContain('-r');
  });

  it('uses -vsync on 4.x, and re-encodes sources that cannot be copied into MPEG-TS', () => {
    const lavfi = buildSessionArgs({ kind: 'lavfi', graph: 'testsrc2', realtime: true }, '', { record, frames: { fps: 5, width: 320 } }, V41, opts);
    expect(after(lavfi.args, '-vsync')).toBe('cfr');
    expect(after(lavfi.args, '-c:v')).toBe('libx264');
    expect(after(lavfi.args, '-force_key_frames')).toBe('expr:gte(t,n_forced*4)');
  });

  it('keeps each camera ffmpeg to one thread', () => {
    expect(after(all.args, '-filter_threads')).toBe('1');
    expect(all.args.filter((a) => a === '-threads').length).toBe(2); // decoder and JPEG encoder
  });

  it('builds a recording-only session (main stream of a camera with a sub-stream)', () => {
    const rec = buildSessionArgs(rtsp, rtsp.url, { record }, V51, opts);
    expect(rec.pipes).toEqual({ progress: 3, segments: 4, count: 2 });
    expect(rec.args).not.toContain('pipe:1');
    expect(rec.args).not.toContain('-vf');
  });

  it('watches the picture size of a recording-only session by decoding keyframes only, into a null output after the recording', () => {
    const rec = buildSessionArgs(rtsp, rtsp.url, { record }, V51, opts).args;
    const input = rec.indexOf('-i');
    expect(rec.slice(input - 2, input)).toEqual(['-skip_frame', 'nokey']);
    expect(rec.slice(-6)).toEqual(['-map', '0:v:0', '-an', '-f', 'null', '-']);
    expect(rec.indexOf('segment')).toBeLessThan(rec.indexOf('null'));
    // Sessions that decode every frame (detection, JPEG) or re-encode the recording need no watch: skipping frames would break them.
    expect(all.args).not.toContain('-skip_frame');
    const reencoded = buildSessionArgs({ kind: 'mjpeg', url: 'http://cam/video' }, 'http://cam/video', { record }, V51, opts).args;
    expect(reencoded).not.toContain('-skip_frame');
  });
});
