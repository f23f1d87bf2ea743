/**
 * Shapes drawn on a camera's picture: detection zones (vùng giám sát) and motion masks
 * (vùng loại trừ), as frame-relative [x, y] points in 0..1 (the server's format, which
 * survives a change of stream size). Pure functions: the editor is tested without a browser.
 */
export type Point = [number, number];
export type ShapeKind = 'zone' | 'mask' | 'privacy';
/** Who a privacy mask (vùng che riêng tư) hides the picture from. */
export type PrivacyHide = 'residents' | 'everyone';

export interface Shape {
  /** Local key; for zones also the stored zone id. */
  key: string;
  kind: ShapeKind;
  name: string;
  points: Point[];
  /** Fields of a stored zone this editor does not show (labels, cooldown…), kept as they were. */
  extra?: Record<string, unknown>;
  /** Privacy masks only: hidden from residents (default) or from everyone. */
  hide?: PrivacyHide;
}

export const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const round = (v: number) => Math.round(v * 10_000) / 10_000;

export function movePoint(p: Point, dx: number, dy: number): Point {
  return [round(clamp01(p[0] + dx)), round(clamp01(p[1] + dy))];
}

/** Twice the signed area (shoelace); a polygon with |area| ≈ 0 encloses nothing. */
export function polygonArea(points: readonly Point[]): number {
  let a = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    a += x1 * y2 - x2 * y1;
  }
  return Math.abs(a) / 2;
}

export function isValidPolygon(points: readonly Point[]): boolean {
  return points.length >= 3 && points.length <= 64 && polygonArea(points) > 1e-6;
}

/** A zone id the server accepts: a-z, 0-9, _ or -, unique among `taken`. */
export function zoneId(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/gi, 'd')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 24) || 'zone';
  let id = /^[a-z0-9]/.test(base) ? base : `z${base}`;
  for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 24)}-${n}`;
  return id;
}

interface StoredZone {
  id: string;
  name: string;
  polygon: Point[];
  [k: string]: unknown;
}

/** Stored settings → shapes (zones from settings.rules.zones, masks from settings.motion.masks, privacy masks from settings.privacyMasks). */
export function shapesFromSettings(settings: Record<string, unknown>): Shape[] {
  const rules = (settings.rules ?? {}) as { zones?: StoredZone[] };
  const motion = (settings.motion ?? {}) as { masks?: Point[][] };
  const zones: Shape[] = (rules.zones ?? []).map(({ id, name, polygon, ...extra }) => ({ key: id, kind: 'zone', name, points: polygon, extra }));
  const masks: Shape[] = (motion.masks ?? []).map((points, i) => ({ key: `mask-${i + 1}`, kind: 'mask', name: '', points }));
  const stored = (settings.privacyMasks ?? []) as { points: Point[]; hide?: PrivacyHide }[];
  const privacy: Shape[] = stored.map((m, i) => ({ key: `privacy-${i + 1}`, kind: 'privacy', name: '', points: m.points, hide: m.hide ?? 'residents' }));
  return [...zones, ...masks, ...privacy];
}

/** Shapes → the settings patch: whole `motion` and `rules` parts (the server replaces parts, not fields). */
export function settingsWithShapes(settings: Record<string, unknown>, shapes: readonly Shape[]): Record<string, unknown> {
  const rules = (settings.rules ?? {}) as Record<string, unknown>;
  const motion = (settings.motion ?? {}) as Record<string, unknown>;
  const zones = shapes.filter((s) => s.kind === 'zone').map((s) => ({ ...s.extra, id: s.key, name: s.name.trim() || s.key, polygon: s.points }));
  const masks = shapes.filter((s) => s.kind === 'mask').map((s) => s.points);
  const privacyMasks = shapes.filter((s) => s.kind === 'privacy').map((s) => ({ points: s.points, hide: s.hide ?? 'residents' }));
  return { ...settings, motion: { ...motion, masks }, rules: { ...rules, zones }, privacyMasks };
}
