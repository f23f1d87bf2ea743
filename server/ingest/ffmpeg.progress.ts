/**
 * Parses ffmpeg's `-progress` feed: blocks of key=value lines ending with `progress=continue`
 * (about every 0.5 s) or `progress=end`. It is the liveness signal of a session without a
 * frames output (a recording-only main stream) and the source of the input frame counter.
 */
export interface ProgressReport {
  /** Frames of the first video output so far (the camera's frames when that output stream-copies). */
  frame: number;
  /** Output media time in µs (max over outputs). */
  outTimeUs: number;
  end: boolean;
}

export class ProgressParser {
  private partial = '';
  private block = new Map<string, string>();

  constructor(private readonly onReport: (r: ProgressReport) => void) {}

  push(chunk: Buffer | string): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = (lines.pop() ?? '').slice(-1024);
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      if (key !== 'progress') {
        this.block.set(key, value);
        continue;
      }
      const num = (k: string) => {
        const n = Number(this.block.get(k));
        return Number.isFinite(n) ? n : 0;
      };
      this.onReport({ frame: num('frame'), outTimeUs: num('out_time_us') || num('out_time_ms'), end: value === 'end' });
      this.block = new Map();
    }
  }
}
