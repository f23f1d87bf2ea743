import { describe, expect, it, vi } from 'vitest';
import type { CameraRunner } from '../../../server/cameras/camera.runner.js';
import { NetworkGuard, pinnedUrl, type ResolvedAddress } from '../../../server/cameras/network.guard.js';
import { GuardedRunner } from '../../../server/cameras/network.runner.js';
import { DEFAULT_DENIED_RANGES, RangePolicy } from '../../../server/shared/address.ranges.js';
import { Bus } from '../../../server/shared/bus.js';
import { silentLogger } from '../../../server/shared/log.js';
import type { CameraRecord } from '../../../server/store/camera.repository.js';

const DNS: Record<string, ResolvedAddress[]> = {
  'cam.lan': [{ address: '192.168.1.64', family: 4 }],
  'rebind.example': [{ address: '127.0.0.1', family: 4 }],
  'both.example': [
    { address: '127.0.0.1', family: 4 },
    { address: '192.168.1.65', family: 4 },
  ],
  'v6.lan': [{ address: 'fd00::64', family: 6 }],
  'me.lan': [{ address: '192.168.1.10', family: 4 }],
};

function guard(allow: string[] = []) {
  return new NetworkGuard({
    policy: () => new RangePolicy({ allow, deny: [...DEFAULT_DENIED_RANGES] }),
    lookup: async (host) => {
      if (DNS[host]) return DNS[host];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    },
    ownAddresses: () => ['192.168.1.10', 'fe80::1%eth0'],
  });
}

const refused = { code: 'target_not_allowed', status: 403 };

describe('NetworkGuard', () => {
  it('judges the addresses a name resolves to, keeping only the allowed ones', async () => {
    const g = guard();
    await expect(g.resolve('cam.lan')).resolves.toEqual(DNS['cam.lan']);
    await expect(g.resolve('rebind.example')).rejects.toMatchObject(refused);
    await expect(g.resolve('both.example')).resolves.toEqual([{ address: '192.168.1.65', family: 4 }]);
    await expect(g.resolve('[::ffff:7f00:1]')).rejects.toMatchObject(refused);
    await expect(g.resolve('nowhere.lan')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it("refuses this computer's own addresses unless an allow range holds them", async () => {
    await expect(guard().resolve('me.lan')).rejects.toMatchObject(refused);
    await expect(guard().resolve('192.168.1.10')).rejects.toMatchObject(refused);
    await expect(guard(['192.168.1.0/24']).resolve('192.168.1.10')).resolves.toHaveLength(1);
  });

  it('pins a URL to the checked address, keeping credentials, port and path', async () => {
    expect(await pinnedUrl(guard(), 'rtsp://u:p%40ss@cam.lan:554/ch1?x=1')).toBe('rtsp://u:p%40ss@192.168.1.64:554/ch1?x=1');
    expect(await pinnedUrl(guard(), 'http://v6.lan/snap.jpg')).toBe('http://[fd00::64]/snap.jpg');
    await expect(pinnedUrl(guard(), 'rtsp://both.example/1')).resolves.toBe('rtsp://192.168.1.65/1');
  });
});

describe('GuardedRunner', () => {
  const camera = (url: string, demo = false) => ({ id: 7, demo, streams: { detect: { url } } }) as unknown as CameraRecord;
  function setup() {
    const inner = {
      start: vi.fn(async () => undefined),
      stop: vi.fn(async () => undefined),
      grabTestFrame: vi.fn(async () => undefined),
    } satisfies CameraRunner;
    const setState = vi.fn(async () => undefined);
    const bus = new Bus();
    const states: unknown[] = [];
    bus.on('camera.state', (m) => states.push([m.state, m.reason]));
    const runner = new GuardedRunner(inner, { guard: guard(), cameras: { setState }, bus, log: silentLogger, now: () => 5 });
    return { inner, setState, states, runner };
  }

  it('does not start a camera whose stream is at a refused address, and shows it offline with the reason', async () => {
    const t = setup();
    await t.runner.start(camera('rtsp://rebind.example/1'), null);
    expect(t.inner.start).not.toHaveBeenCalled();
    expect(t.inner.stop).toHaveBeenCalledWith(7);
    expect(t.setState).toHaveBeenCalledWith(7, 'offline', 'target_not_allowed', 5);
    expect(t.states).toEqual([['offline', 'target_not_allowed']]);
  });

  it('starts allowed cameras, names that do not resolve yet, and the demo camera on loopback', async () => {
    const t = setup();
    await t.runner.start(camera('rtsp://cam.lan/1'), null);
    await t.runner.start(camera('rtsp://nowhere.lan/1'), null);
    await t.runner.start(camera('rtsp://127.0.0.1:8554/demo', true), null);
    expect(t.inner.start).toHaveBeenCalledTimes(3);
    expect(t.setState).not.toHaveBeenCalled();
  });
});
