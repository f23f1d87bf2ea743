import { execFileSync } from 'node:child_process';

/**
 * A short H.264 test video (ffmpeg's testsrc2 at 10 fps, a keyframe every second) for tests that
 * need real segments or camera files without a camera: MPEG-TS by default, or any container
 * ffmpeg infers from the file name when `format` is null. No B-frames unless `bFrames` asks (then decode order differs from display order).
 */
export function testVideo(out: string, o: { size?: string; seconds: number; format?: 'mpegts' | null; bFrames?: number }): void {
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${o.size ?? '320x180'}:rate=10`,
    '-t',
    String(o.seconds),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-g',
    '10',
    '-bf',
    String(o.bFrames ?? 0),
    ...(o.format === null ? [] : ['-f', o.format ?? 'mpegts']),
    '-y',
    out,
  ]);
}
