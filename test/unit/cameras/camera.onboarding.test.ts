import { describe, expect, it, vi } from 'vitest';
import { CameraOnboarding } from '../../../server/cameras/camera.onboarding.js';
import type { DiscoveredDevice, DiscoveryReport } from '../../../server/cameras/onvif.discovery.js';
import type { ProbeResult } from '../../../server/cameras/onvif.probe.js';
import { silentLogger } from '../../../server/shared/log.js';
import type { CameraRecord } from '../../../server/store/camera.repository.js';

const device = (address: string, xaddr: string): DiscoveredDevice => ({
  endpoint: `urn:uuid:${address}`,
  address,
  xaddrs: [xaddr],
  deviceServiceUrl: xaddr,
  scopes: { name: null, hardware: null, location: null, all: [] },
  types: [],
});
const cam = (id: number, onvifUrl: string | null, url: string) => ({ id, onvifUrl, streams: { detect: { url } } }) as CameraRecord;

function onboarding(devices: DiscoveredDevice[], cameras: CameraRecord[], discoveryInterfaces?: string[]) {
  const discover = vi.fn(async (): Promise<DiscoveryReport> => ({ devices, interfaces: ['eth0'], targets: [] }));
  const probe = vi.fn(async () => ({ manufacturer: 'M', model: 'X', profiles: [] }) as unknown as ProbeResult);
  return {
    o: new CameraOnboarding({ store: { cameras: { list: async () => cameras } }, discovery: { discover }, probe, log: silentLogger, discoveryInterfaces }),
    discover,
    probe,
  };
}

describe('CameraOnboarding', () => {
  it('marks devices registered by ONVIF address, by the answering address behind NAT, or by their RTSP host', async () => {
    const { o } = onboarding(
      [
        device('10.0.0.5', 'http://10.0.0.5/onvif/device_service'),
        device('203.0.113.9', 'http://192.168.1.64:8000/onvif/device_service'),
        device('10.0.0.7', 'http://10.0.0.7/onvif/device_service'),
        device('10.0.0.8', 'http://10.0.0.8/onvif/device_service'),
      ],
      [
        cam(1, 'http://10.0.0.5:80/onvif/device_service', 'rtsp://10.0.0.5/a'),
        cam(2, 'http://203.0.113.9:8000/onvif/device_service', 'rtsp://x/a'),
        cam(3, null, 'rtsp://10.0.0.7:554/live'),
      ],
    );
    const r = await o.discover({ interfaces: ['eth0'] });
    expect(r.devices.map((d) => [d.address, d.registered, d.cameraId])).toEqual([
      ['10.0.0.5', true, 1],
      ['203.0.113.9', true, 2],
      ['10.0.0.7', true, 3],
      ['10.0.0.8', false, null],
    ]);
  });

  it('uses config.discoveryInterfaces unless the request names interfaces or only targets', async () => {
    const { o, discover } = onboarding([], [], ['eth1']);
    await o.discover({});
    await o.discover({ interfaces: ['eth2'] });
    await o.discover({ targets: ['10.0.0.5'] });
    expect(discover.mock.calls.map((c) => (c as unknown as [{ interfaces?: string[] }])[0].interfaces)).toEqual([['eth1'], ['eth2'], undefined]);
  });

  it('probes what was typed, with credentials from the URL when none are given separately', async () => {
    const { o, probe } = onboarding([], []);
    await o.probe({ target: 'http://admin:pw@10.0.0.5:8000' });
    expect(probe).toHaveBeenCalledWith({ url: new URL('http://10.0.0.5:8000/onvif/device_service'), username: 'admin', password: 'pw' }, undefined);
  });
});
