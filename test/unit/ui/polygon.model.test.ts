import { cameraSettingsSchema } from '../../../server/domain/camera.settings.js';
import { describe, expect, it } from 'vitest';
import { rulesSettingsSchema } from '../../../server/domain/camera.settings.rules.js';
import { motionSettingsSchema } from '../../../server/domain/camera.settings.motion.js';
import { isValidPolygon, movePoint, settingsWithShapes, shapesFromSettings, zoneId, type Shape } from '../../../ui/src/components/polygon.model.js';

describe('zones and masks drawn on the picture', () => {
  it('makes zone ids the server accepts from Vietnamese names, unique', () => {
    expect(zoneId('Lối vào sân', new Set())).toBe('loi-vao-san');
    expect(zoneId('Đường đi', new Set(['duong-di']))).toBe('duong-di-2');
    expect(zoneId('!!!', new Set())).toBe('zone');
    expect(zoneId('Vùng 1', new Set())).toMatch(/^[a-z0-9][a-z0-9_-]{0,31}$/);
  });

  it('keeps points inside the frame when moved with the keyboard', () => {
    expect(movePoint([0.99, 0.01], 0.05, -0.05)).toEqual([1, 0]);
    expect(movePoint([0.5, 0.5], -0.01, 0.01)).toEqual([0.49, 0.51]);
  });

  it('refuses polygons with too few points or no area', () => {
    expect(
      isValidPolygon([
        [0, 0],
        [1, 1],
      ]),
    ).toBe(false);
    expect(
      isValidPolygon([
        [0, 0],
        [0.5, 0.5],
        [1, 1],
      ]),
    ).toBe(false);
    expect(
      isValidPolygon([
        [0, 0],
        [1, 0],
        [1, 1],
      ]),
    ).toBe(true);
  });

  it('round-trips through the stored settings, keeping fields the editor does not show; the server schemas accept the result', () => {
    const stored = {
      motion: motionSettingsSchema.parse({
        threshold: 40,
        masks: [
          [
            [0, 0],
            [0.2, 0],
            [0.2, 0.1],
          ],
        ],
      }),
      rules: rulesSettingsSchema.parse({
        zones: [
          {
            id: 'cong',
            name: 'Cổng',
            polygon: [
              [0.1, 0.5],
              [0.6, 0.5],
              [0.6, 0.9],
            ],
            cooldownSeconds: 120,
          },
        ],
      }),
    };
    const shapes = shapesFromSettings(stored);
    expect(shapes.map((s) => [s.kind, s.key])).toEqual([
      ['zone', 'cong'],
      ['mask', 'mask-1'],
    ]);
    const added: Shape = {
      key: 'san',
      kind: 'zone',
      name: 'Sân',
      points: [
        [0, 0.6],
        [0.3, 0.6],
        [0.3, 1],
      ],
    };
    const next = settingsWithShapes(stored, [...shapes, added]) as { motion: unknown; rules: { zones: { id: string; cooldownSeconds?: number }[] } };
    expect(next.rules.zones.map((z) => z.id)).toEqual(['cong', 'san']);
    expect(next.rules.zones[0]!.cooldownSeconds).toBe(120);
    expect((next.motion as { threshold: number }).threshold).toBe(40);
    expect(rulesSettingsSchema.safeParse(next.rules).success).toBe(true);
    expect(motionSettingsSchema.safeParse(next.motion).success).toBe(true);
  });

  it('keeps privacy masks and whom they hide from, in the shape the server validates', () => {
    const points: [number, number][] = [
      [0.1, 0.1],
      [0.4, 0.1],
      [0.4, 0.5],
    ];
    const stored = { privacyMasks: [{ points, hide: 'everyone' }] };
    const shapes = shapesFromSettings(stored);
    expect(shapes).toEqual([{ key: 'privacy-1', kind: 'privacy', name: '', points, hide: 'everyone' }]);
    const drawn: Shape = { key: 'privacy-2', kind: 'privacy', name: '', points: points.map(([x, y]) => [x + 0.5, y] as [number, number]) };
    const next = settingsWithShapes(stored, [...shapes, drawn]);
    expect(next.privacyMasks).toEqual([
      { points, hide: 'everyone' },
      { points: drawn.points, hide: 'residents' },
    ]);
    expect(cameraSettingsSchema.safeParse(next).success).toBe(true);
  });
});
