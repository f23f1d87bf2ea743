import { describe, expect, it } from 'vitest';
import { hostPortOf, parseProbeTarget } from '../../../server/cameras/onvif.target.js';

describe('what a technician types', () => {
  it.each([
    ['192.168.1.64', 'http://192.168.1.64/onvif/device_service'],
    [' 192.168.1.64:8000 ', 'http://192.168.1.64:8000/onvif/device_service'],
    ['cam-1.local:2020', 'http://cam-1.local:2020/onvif/device_service'],
    ['[fe80::1]:8080', 'http://[fe80::1]:8080/onvif/device_service'],
    ['http://10.0.0.5:8899/', 'http://10.0.0.5:8899/onvif/device_service'],
    ['https://10.0.0.5/onvif/device_service', 'https://10.0.0.5/onvif/device_service'],
    ['http://10.0.0.5/onvif/services', 'http://10.0.0.5/onvif/services'],
  ])('%s → %s', (input, url) => {
    expect(parseProbeTarget(input).url.href).toBe(url);
  });

  it('splits credentials typed into a URL off the URL', () => {
    const t = parseProbeTarget('http://admin:p%40ss@10.0.0.5/onvif/device_service');
    expect(t).toMatchObject({ username: 'admin', password: 'p@ss' });
    expect(t.url.href).toBe('http://10.0.0.5/onvif/device_service');
  });

  it.each(['', 'not a host!', 'rtsp://10.0.0.5/live', '10.0.0.5:99999', 'http://'])('rejects %j with a field-level error', (input) => {
    expect(() => parseProbeTarget(input, 'body.target')).toThrow(
      expect.objectContaining({ code: 'validation', details: expect.objectContaining({ field: 'body.target' }) }),
    );
  });

  it('host:port keys for "already registered"', () => {
    expect(hostPortOf('http://Cam.Local/onvif/device_service')).toBe('cam.local:80');
    expect(hostPortOf('https://10.0.0.5/x')).toBe('10.0.0.5:443');
    expect(hostPortOf('nonsense')).toBeNull();
  });
});
