import type { Box } from '../domain/frame.js';
import type { ZoneRule } from '../domain/camera.settings.rules.js';

export type Point = readonly [number, number];

/**
 * Where the object stands: the bottom-centre of its box, relative to the frame. A person's
 * feet (not their head) decide whether they are inside the fence line.
 */
export function bottomCentre(box: Box, frameWidth: number, frameHeight: number): Point {
  return [(box[0] + box[2]) / 2 / frameWidth, box[3] / frameHeight];
}

/** Even-odd ray casting; a point exactly on an edge may fall either way, which is fine for zones. */
export function pointInPolygon(p: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Ids of the zones the object is in, counting only zones that accept its label. */
export function zonesContaining(zones: readonly ZoneRule[], label: string, box: Box, frameWidth: number, frameHeight: number): string[] {
  const at = bottomCentre(box, frameWidth, frameHeight);
  return zones.filter((z) => (!z.labels || z.labels.includes(label)) && pointInPolygon(at, z.polygon)).map((z) => z.id);
}
