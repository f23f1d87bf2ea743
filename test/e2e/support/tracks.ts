import type { TrackMessage } from '../../../server/shared/bus.js';

/**
 * Track messages as the detection pipeline publishes them on the server's bus: used where a
 * test needs alerts at exact moments (reconnect catch-up), not to stand in for the pipeline
 * in the journeys (those run the real detector on real footage).
 */
export function trackMessage(cameraId: number, trackNo: number, at: number, score: number, firstSeenAt = at): TrackMessage {
  const width = 320;
  const height = 180;
  const data = new Uint8Array(width * height * 1.5);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x * 2 + y + trackNo * 40) & 0xff;
  data.fill(128, width * height);
  const x = 40 + ((trackNo * 53) % 200);
  const box: [number, number, number, number] = [x, 40, x + 40, 160];
  return {
    cameraId,
    trackId: `${cameraId}-${trackNo}`,
    label: 'person',
    score,
    box,
    frameWidth: width,
    frameHeight: height,
    firstSeenAt,
    lastSeenAt: at,
    hits: 1,
    stationary: false,
    best: { frame: { cameraId, seq: trackNo, capturedAt: at, width, height, data }, box, score },
  };
}
