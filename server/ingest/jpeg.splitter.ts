/**
 * Splits ffmpeg's image2pipe MJPEG output (JPEGs back to back) into single images by their
 * start (FF D8) and end (FF D9) markers. ffmpeg's encoder writes no embedded thumbnail, and
 * inside entropy-coded data every FF byte is followed by 00, so FF D9 only ends an image.
 */
export class JpegSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private lastByte = -1;

  constructor(
    private readonly onJpeg: (jpeg: Buffer) => void,
    private readonly maxBytes = 16 << 20,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const end = this.findEnd(chunk, start);
      if (end === -1) break;
      this.append(chunk.subarray(start, end));
      this.emit();
      start = end;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
    if (this.length > this.maxBytes) this.reset(); // no end marker in 16 MB: garbage, resynchronise
  }

  /** Index just past the next FF D9 at or after `from`, or -1. Handles a marker split across chunks. */
  private findEnd(chunk: Buffer, from: number): number {
    let prev = from === 0 ? this.lastByte : chunk[from - 1]!;
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (prev === 0xff && b === 0xd9) return i + 1;
      prev = b;
    }
    this.lastByte = chunk.length ? chunk[chunk.length - 1]! : this.lastByte;
    return -1;
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    this.parts.push(Buffer.from(part)); // copy: the pipe's chunk is not kept alive
    this.length += part.length;
  }

  private emit(): void {
    const jpeg = Buffer.concat(this.parts, this.length);
    this.reset();
    this.lastByte = -1;
    if (jpeg.length >= 4 && jpeg[0] === 0xff && jpeg[1] === 0xd8) this.onJpeg(jpeg);
  }

  private reset(): void {
    this.parts = [];
    this.length = 0;
  }
}
