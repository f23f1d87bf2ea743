import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { CameraOnboarding } from '../../server/cameras/camera.onboarding.js';
import { createLibraryMulticastProber, createUnicastProber } from '../../server/cameras/onvif.discovery.adapters.js';
import { OnvifDiscovery } from '../../server/cameras/onvif.discovery.js';
import { probeOnvif } from '../../server/cameras/onvif.probe.js';
import { createLogger } from '../../server/shared/log.js';
import type { CameraRecord } from '../../server/store/camera.repository.js';
import { OnvifSimulator, type OnvifSimOptions } from '../fixtures/onvif-sim/onvif-sim.js';

/**
 * WS-Discovery on loopback with directed (unicast) probes: nothing is multicast here (see
 * onvif-multicast.test.ts for multicast, which runs inside network namespaces).
 */
const logs: string[] = [];
const log = createLogger('debug', (l) => logs.push(l));
const sims: OnvifSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
  logs.length = 0;
});

async function sim(opts: OnvifSimOptions = {}): Promise<OnvifSimulator> {
  const s = await new OnvifSimulator({ username: 'admin', password: 'pw', ...opts }).start();
  sims.push(s);
  return s;
}

/** Multicast must never be used in these tests: a prober that fails the test if called. */
const noMulticast = {
  probe: async () => {
    throw new Error('multicast attempted in a loopback test');
  },
};

function discovery() {
  return new OnvifDiscovery({ networkInterfaces: () => os.networkInterfaces(), multicast: noMulticast, unicast: createUnicastProber(log), log });
}

describe('discovery by directed probe on loopback', () => {
  it('finds the simulator with its endpoint, XAddrs and scopes', async () => {
    const s = await sim({ scopes: { name: 'Cổng trước', hardware: 'IPC-SIM-2MP', location: 'country/vietnam' } });
    const report = await discovery().discover({ targets: [`127.0.0.1:${s.discoveryPort}`], timeoutMs: 800 });
    expect(report.interfaces).toEqual([]);
    expect(report.devices).toHaveLength(1);
    const d = report.devices[0]!;
    expect(d).toMatchObject({
      endpoint: s.endpoint,
      address: '127.0.0.1',
      xaddrs: [s.deviceServiceUrl],
      deviceServiceUrl: s.deviceServiceUrl,
      scopes: { name: 'Cổng trước', hardware: 'IPC-SIM-2MP', location: 'country/vietnam' },
    });
    expect(d.types).toContain('dn:NetworkVideoTransmitter');
    // repeated probes (UDP loses packets), one device
    expect(s.discoveryProbesSeen).toBe(3);
  });

  it('ignores hostile and stray answers and still finds the camera', async () => {
    const s = await sim({
      discovery: {
        extraReplies: (relatesTo) => [
          '<not xml',
          `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>`,
          // a forged device answering a probe we never sent
          `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><e:Header><a:RelatesTo>urn:uuid:someone-else</a:RelatesTo></e:Header><e:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:forged</a:Address></a:EndpointReference><d:XAddrs>http://127.0.0.9/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>`,
          `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Header><RelatesTo>${relatesTo}</RelatesTo></e:Header><e:Body><Unrelated/></e:Body></e:Envelope>`,
        ],
      },
    });
    const report = await discovery().discover({ targets: [`127.0.0.1:${s.discoveryPort}`], timeoutMs: 800 });
    expect(report.devices.map((d) => d.endpoint)).toEqual([s.endpoint]);
    expect(logs.join('\n')).toMatch(/unreadable answer ignored/);
  });

  it('merges two cameras and marks the one already registered', async () => {
    const a = await sim();
    const b = await sim({ advertisedHost: '127.0.0.2' });
    const registered = { id: 7, onvifUrl: a.deviceServiceUrl, streams: { detect: { url: 'rtsp://127.0.0.1:554/live' } } } as CameraRecord;
    const onboarding = new CameraOnboarding({ store: { cameras: { list: async () => [registered] } }, discovery: discovery(), probe: probeOnvif, log });
    const report = await onboarding.discover({ targets: [`127.0.0.1:${a.discoveryPort}`, `127.0.0.1:${b.discoveryPort}`], timeoutMs: 800 });
    const byEndpoint = new Map(report.devices.map((d) => [d.endpoint, d]));
    expect(byEndpoint.get(a.endpoint)).toMatchObject({ registered: true, cameraId: 7 });
    // b advertises an internal address; the answering address is what to use
    expect(byEndpoint.get(b.endpoint)).toMatchObject({
      registered: false,
      cameraId: null,
      address: '127.0.0.1',
      xaddrs: [`http://127.0.0.2:${b.port}/onvif/device_service`],
      deviceServiceUrl: b.deviceServiceUrl,
    });
  });

  it('refuses unknown interface names instead of silently probing the default interface', async () => {
    const d = new OnvifDiscovery({
      networkInterfaces: () => os.networkInterfaces(),
      multicast: createLibraryMulticastProber(log),
      unicast: createUnicastProber(log),
      log,
    });
    await expect(d.discover({ interfaces: ['no-such-if0'], timeoutMs: 500 })).rejects.toMatchObject({
      code: 'unknown_interface',
      details: { field: 'interfaces.0' },
    });
  });
});
