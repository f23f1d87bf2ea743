import { describe, expect, it } from 'vitest';
import { cachedRulesProvider, type CameraRules, type RulesProvider } from '../../../server/events/rules.provider.js';
import { Bus } from '../../../server/shared/bus.js';
import { FakeClock } from './fake.clock.js';

/** A provider that counts its reads and answers with the camera's current minFrames. */
function counting(minFrames: () => number) {
  let reads = 0;
  const inner: RulesProvider = {
    async forCamera(cameraId) {
      reads++;
      return { camera: { id: cameraId }, rules: { minFrames: minFrames() } } as unknown as CameraRules;
    },
  };
  return { inner, reads: () => reads };
}

describe('cachedRulesProvider (one read per camera per moment, not per track)', () => {
  it('shares one read between tracks that start together and within the moment', async () => {
    const clock = new FakeClock(1_000);
    const c = counting(() => 3);
    const rules = cachedRulesProvider(c.inner, new Bus(), clock, 2000);
    await Promise.all([rules.forCamera(1), rules.forCamera(1), rules.forCamera(2)]);
    clock.advance(1500);
    await rules.forCamera(1);
    expect(c.reads()).toBe(2);
    clock.advance(600);
    await rules.forCamera(1);
    expect(c.reads()).toBe(3);
  });

  it('reads again at once when the camera was changed (an edit applies to the next track)', async () => {
    let minFrames = 3;
    const bus = new Bus();
    const c = counting(() => minFrames);
    const rules = cachedRulesProvider(c.inner, bus, new FakeClock(0), 60_000);
    expect((await rules.forCamera(1))?.rules.minFrames).toBe(3);
    minFrames = 5;
    bus.emit('camera.changed', { cameraId: 1, change: 'updated', at: 1 });
    expect((await rules.forCamera(1))?.rules.minFrames).toBe(5);
    rules.close();
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const inner: RulesProvider = {
      forCamera: async () => {
        if (fail) throw new Error('database busy');
        return undefined;
      },
    };
    const rules = cachedRulesProvider(inner, new Bus(), new FakeClock(0), 60_000);
    await expect(rules.forCamera(1)).rejects.toThrow('database busy');
    fail = false;
    await expect(rules.forCamera(1)).resolves.toBeUndefined();
  });
});
