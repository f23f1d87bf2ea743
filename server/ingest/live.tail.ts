import { open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Follows the recording as ffmpeg writes it: the newest MPEG-TS segment in the camera's
 * `live/` folder, read from its start (a keyframe: segments are cut at keyframes) and then as
 * it grows (the recorder flushes every packet), moving to the next segment when ffmpeg opens
 * it. The file may be moved out of `live/` once indexed: the open handle still reads it.
 * Costs a few reads per second while someone watches, nothing otherwise.
 */
export interface TailOptions {
  liveDir: string;
  pollMs: number;
  onData(chunk: Buffer): void;
  /** A segment of another ffmpeg run started: its timestamps and maybe its picture size differ. */
  onNewRun(): void;
}

const TS_PACKET = 188;
const CHUNK = 256 * 1024;
const runOf = (file: string) => file.replace(/-\d+\.ts$/, '');

export class TsTail {
  private stopped = false;
  private handle: FileHandle | null = null;
  private file: string | null = null;
  private pos = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: TailOptions) {}

  start(): void {
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
  }

  private async tick(): Promise<void> {
    try {
      await this.drain();
      const next = await this.newest();
      if (next && next !== this.file) {
        await this.drain(); // the old segment is complete once ffmpeg opened the next one
        if (this.file && runOf(next) !== runOf(this.file)) this.o.onNewRun();
        await this.handle?.close().catch(() => undefined);
        this.handle = await open(path.join(this.o.liveDir, next), 'r');
        this.file = next;
        this.pos = 0;
        await this.drain();
      }
    } catch {
      // A segment moved or removed between listing and opening: the next tick lists again.
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.o.pollMs);
  }

  /** Reads what was written since the last read, in whole TS packets. */
  private async drain(): Promise<void> {
    while (this.handle && !this.stopped) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await this.handle.read(buf, 0, CHUNK, this.pos);
      const whole = bytesRead - (bytesRead % TS_PACKET);
      if (whole <= 0) return;
      this.pos += whole;
      this.o.onData(buf.subarray(0, whole));
      if (bytesRead < CHUNK) return;
    }
  }

  /** Segment names sort by run (start time in ms) then by number. */
  private async newest(): Promise<string | undefined> {
    const names = (await readdir(this.o.liveDir).catch(() => [] as string[])).filter((n) => n.endsWith('.ts'));
    return names.sort().at(-1);
  }
}
