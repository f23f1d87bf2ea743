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
const cam = (id: number, onvifUrl: string | null, url: string, onvifEndpoint: string | null = null, profileToken?: string) =>
  ({ id, onvifUrl, onvifEndpoint, streams: { detect: { url, profileToken } } }) as CameraRecord;

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
  it('marks devices registered by endpoint reference and channel, not by IP: an NVR, a second device on its IP, a camera that changed IP', async () => {
    const nvr = { ...device('10.0.0.9', 'http://10.0.0.9/onvif/device_service'), endpoint: 'urn:uuid:NVR-1' };
    const other = { ...device('10.0.0.9', 'http://10.0.0.9:8080/onvif/device_service'), endpoint: 'urn:uuid:cam-2' };
    const moved = { ...device('10.0.0.30', 'http://10.0.0.30/onvif/device_service'), endpoint: 'uuid:moved-3' };
    const { o } = onboarding(
      [nvr, other, moved],
      [
        cam(1, 'http://10.0.0.9/onvif/device_service', 'rtsp://10.0.0.9/ch1', 'urn:uuid:nvr-1', 'Channel1'),
        cam(2, 'http://10.0.0.9/onvif/device_service', 'rtsp://10.0.0.9/ch2', 'urn:uuid:nvr-1', 'Channel2'),
        cam(3, 'http://10.0.0.12/onvif/device_service', 'rtsp://10.0.0.12/a', 'urn:uuid:MOVED-3', 'Profile_1'),
      ],
    );
    const r = await o.discover({ interfaces: ['eth0'] });
    expect(r.devices.map((d) => [d.endpoint, d.registered, d.channels])).toEqual([
      [
        'urn:uuid:NVR-1',
        true,
        [
          { cameraId: 1, channel: 'Channel1' },
          { cameraId: 2, channel: 'Channel2' },
        ],
      ],
      ['urn:uuid:cam-2', false, []],
      ['uuid:moved-3', true, [{ cameraId: 3, channel: 'Profile_1' }]],
    ]);
  });

  it('cameras registered before endpoints were stored: by ONVIF address or behind NAT; a plain RTSP camera on the IP is only a hint', async () => {
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
    expect(r.devices.map((d) => [d.address, d.registered, d.cameraId, d.sameHostCameraId])).toEqual([
      ['10.0.0.5', true, 1, null],
      ['203.0.113.9', true, 2, null],
      ['10.0.0.7', false, null, 3],
      ['10.0.0.8', false, null, null],
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
