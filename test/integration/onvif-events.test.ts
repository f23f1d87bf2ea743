import { afterEach, describe, expect, it } from 'vitest';
import { PullPointSubscription } from '../../server/cameras/onvif.events.js';
import { OnvifClient } from '../../server/cameras/onvif.soap.js';
import { OnvifSimulator } from '../fixtures/onvif-sim/onvif-sim.js';

/** The PullPoint client against the simulated camera's event service: events, renewal, a forgotten subscription. */
const sims: OnvifSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function subscribe(opts: { lifetimeSeconds: number; pullSeconds: number }) {
  const sim = await new OnvifSimulator({ username: 'admin', password: 'pw', discovery: false, advertisedHost: '127.0.0.2' }).start();
  sims.push(sim);
  const client = new OnvifClient(new URL(sim.deviceServiceUrl), {
    username: 'admin',
    password: 'pw',
    callTimeoutMs: 8000,
    deadlineMs: 10_000,
    maxReplyBytes: 1 << 20,
  });
  const sub = await PullPointSubscription.create(client, { ...opts, preserveAddress: true });
  return { sim, sub };
}

describe('PullPoint subscription', () => {
  it('receives events as soon as the camera has them, at the address reached behind NAT', async () => {
    const { sim, sub } = await subscribe({ lifetimeSeconds: 60, pullSeconds: 5 });
    expect(sub.address.host).toBe(`127.0.0.1:${sim.port}`);
    setTimeout(
      () => sim.emitEvent({ topic: 'tns1:VideoSource/GlobalSceneChange/ImagingService', source: { Source: 'VideoSource_1' }, data: { State: 'true' } }),
      300,
    );
    const events = await sub.pull();
    expect(events).toEqual([
      { topic: 'tns1:VideoSource/GlobalSceneChange/ImagingService', time: expect.any(String), source: { Source: 'VideoSource_1' }, data: { State: 'true' } },
    ]);
    expect(await sub.pull()).toEqual([]);
  });

  it('renews the subscription before it terminates, so events keep coming past its first lifetime', async () => {
    const { sim, sub } = await subscribe({ lifetimeSeconds: 2, pullSeconds: 1 });
    for (let i = 0; i < 4; i++) await sub.pull();
    expect(sim.events.renewals).toBeGreaterThan(0);
    sim.emitEvent({ topic: 'tns1:Device/Trigger/DigitalInput', source: { InputToken: 'DI_1' }, data: { LogicalState: 'true' } });
    expect((await sub.pull()).map((e) => e.topic)).toEqual(['tns1:Device/Trigger/DigitalInput']);
    await sub.unsubscribe();
    expect(sim.events.subscriptions.size).toBe(0);
  });

  it('a subscription the camera forgot fails the pull (the watcher then subscribes again)', async () => {
    const { sim, sub } = await subscribe({ lifetimeSeconds: 60, pullSeconds: 1 });
    sim.events.subscriptions.clear();
    await expect(sub.pull()).rejects.toThrow(/no such subscription/);
  });
});
