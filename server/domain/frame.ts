/**
 * A decoded frame as the detection path sees it: yuv420p, the Y (grey) plane first
 * (width × height bytes, what motion uses), then U and V at a quarter size each.
 */
export interface Frame {
  cameraId: number;
  /** Increases by one per frame delivered by ffmpeg for this session (gaps = dropped frames). */
  seq: number;
  /** Wall-clock capture time, epoch ms (server clock: cameras' clocks are not trusted). */
  capturedAt: number;
  /** Media time in seconds from the start of the source, for files (`binhyen detect`). */
  mediaTime?: number;
  width: number;
  height: number;
  data: Uint8Array;
}

export const yuv420pSize = (width: number, height: number) => width * height + 2 * ((width >> 1) * (height >> 1));

/** Box in frame pixels: [x1, y1, x2, y2]. */
export type Box = [number, number, number, number];
