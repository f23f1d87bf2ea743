import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { fromLibrary, probeMessage, readProbeMatches } from '../../../server/cameras/onvif.discovery.adapters.js';
import { mergeMatches, OnvifDiscovery, readScopes, type DiscoveryMatch } from '../../../server/cameras/onvif.discovery.js';
import { silentLogger } from '../../../server/shared/log.js';

const v4 = (address: string, internal = false) =>
  ({ address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '', cidr: null }) as NetworkInterfaceInfo;
const v6 = { address: 'fe80::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 } as NetworkInterfaceInfo;
const interfaces = { lo: [v4('127.0.0.1', true)], eth0: [v6, v4('192.168.1.10')], wlan0: [v6], docker0: [v4('172.17.0.1')] };

function discovery() {
  const multicast = { probe: vi.fn(async () => [] as DiscoveryMatch[]) };
  const unicast = { probe: vi.fn(async () => [] as DiscoveryMatch[]) };
  return { d: new OnvifDiscovery({ networkInterfaces: () => interfaces, multicast, unicast, log: silentLogger }), multicast, unicast };
}

describe('interface selection', () => {
  it('defaults to every non-internal interface with an IPv4 address', () => {
    expect(discovery().d.resolveInterfaces(undefined)).toEqual([
      { name: 'eth0', address: '192.168.1.10' },
      { name: 'docker0', address: '172.17.0.1' },
    ]);
  });

  it('validates names: unknown ones and ones without IPv4 are refused, never silently replaced', () => {
    const { d } = discovery();
    expect(() => d.resolveInterfaces(['eth1'])).toThrow(
      expect.objectContaining({ code: 'unknown_interface', details: expect.objectContaining({ field: 'interfaces.0' }) }),
    );
    expect(() => d.resolveInterfaces(['eth0', 'wlan0'])).toThrow(
      expect.objectContaining({ code: 'interface_without_ipv4', details: expect.objectContaining({ field: 'interfaces.1' }) }),
    );
    expect(d.resolveInterfaces(['lo'])).toEqual([{ name: 'lo', address: '127.0.0.1' }]);
  });

  it('with only targets, sends no multicast; with interfaces, probes them with the timeout and repeats', async () => {
    const { d, multicast, unicast } = discovery();
    await d.discover({ targets: ['10.0.0.5', '[fe80::2]:3703'], timeoutMs: 700, repeats: 2 });
    expect(multicast.probe).not.toHaveBeenCalled();
    expect(unicast.probe.mock.calls).toEqual([
      ['10.0.0.5', 3702, 700, 2],
      ['fe80::2', 3703, 700, 2],
    ]);
    await d.discover({ interfaces: ['eth0'], timeoutMs: 900 });
    expect(multicast.probe).toHaveBeenCalledWith([{ name: 'eth0', address: '192.168.1.10' }], 900, 3);
  });

  it('rejects bad targets by field', async () => {
    await expect(discovery().d.discover({ targets: ['a b'] })).rejects.toMatchObject({ code: 'validation', details: { field: 'targets.0' } });
  });
});

describe('results', () => {
  const m = (over: Partial<DiscoveryMatch>): DiscoveryMatch => ({
    endpoint: 'urn:uuid:1',
    from: '192.168.1.64',
    types: ['dn:NetworkVideoTransmitter'],
    scopes: [],
    xaddrs: ['http://192.168.1.64/onvif/device_service'],
    ...over,
  });

  it('de-duplicates by endpoint across repeated probes and interfaces, uniting XAddrs', () => {
    const out = mergeMatches([
      m({}),
      m({ xaddrs: ['http://[fe80::1]/onvif/device_service'] }),
      m({ endpoint: 'urn:uuid:2', from: '192.168.1.9', xaddrs: ['http://10.0.0.9/onvif/device_service'] }),
    ]);
    expect(out.map((d) => d.endpoint)).toEqual(['urn:uuid:2', 'urn:uuid:1']);
    expect(out[1]!.xaddrs).toHaveLength(2);
    // the XAddr on the answering address is the one to probe; else the first, on the answering address
    expect(out[1]!.deviceServiceUrl).toBe('http://192.168.1.64/onvif/device_service');
    expect(out[0]!.deviceServiceUrl).toBe('http://192.168.1.9/onvif/device_service');
    expect(out[0]!.xaddrs).toEqual(['http://10.0.0.9/onvif/device_service']);
  });

  it('reads name, hardware and location scopes', () => {
    expect(
      readScopes([
        'onvif://www.onvif.org/type/video_encoder',
        'onvif://www.onvif.org/name/C%E1%BB%95ng%20tr%C6%B0%E1%BB%9Bc',
        'onvif://www.onvif.org/hardware/DS-2CD1023G0',
        'onvif://www.onvif.org/location/country/vietnam',
        'onvif://www.onvif.org/location/city/hue',
        'onvif://www.onvif.org/name/%ZZ',
      ]),
    ).toEqual({
      name: 'Cổng trước',
      hardware: 'DS-2CD1023G0',
      location: 'country/vietnam, city/hue',
      all: expect.any(Array),
    });
  });

  it('normalises the onvif library objects, including several matches and attributes', () => {
    const data = {
      probeMatches: {
        probeMatch: [
          {
            endpointReference: { address: 'urn:uuid:a' },
            types: 'dn:NetworkVideoTransmitter',
            scopes: { _: 'onvif://www.onvif.org/name/A', $: { MatchBy: 'x' } },
            XAddrs: 'http://1.2.3.4/onvif/device_service http://[::1]/x',
          },
          { endpointReference: {}, XAddrs: '' },
        ],
      },
    };
    expect(fromLibrary(data, '1.2.3.4')).toEqual([
      {
        endpoint: 'urn:uuid:a',
        from: '1.2.3.4',
        types: ['dn:NetworkVideoTransmitter'],
        scopes: ['onvif://www.onvif.org/name/A'],
        xaddrs: ['http://1.2.3.4/onvif/device_service', 'http://[::1]/x'],
      },
    ]);
    expect(fromLibrary('garbage', '1.2.3.4')).toEqual([]);
    expect(fromLibrary(null, '1.2.3.4')).toEqual([]);
  });

  it('reads ProbeMatches only when they answer one of our probes', () => {
    const ours = 'urn:uuid:ours';
    expect(probeMessage(ours)).toContain(`<a:MessageID>${ours}</a:MessageID>`);
    const answer = (relates: string, ns = 'http://schemas.xmlsoap.org/ws/2005/04/discovery') =>
      `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="${ns}"><e:Header><a:RelatesTo>${relates}</a:RelatesTo></e:Header><e:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:cam</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/name/X</d:Scopes><d:XAddrs>http://10.0.0.2/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>`;
    expect(readProbeMatches(answer(ours), '10.0.0.2', new Set([ours]))).toEqual([
      {
        endpoint: 'urn:uuid:cam',
        from: '10.0.0.2',
        types: ['dn:NetworkVideoTransmitter'],
        scopes: ['onvif://www.onvif.org/name/X'],
        xaddrs: ['http://10.0.0.2/onvif/device_service'],
      },
    ]);
    expect(readProbeMatches(answer('urn:uuid:theirs'), '10.0.0.2', new Set([ours]))).toEqual([]);
    expect(readProbeMatches(answer(ours, 'urn:wrong'), '10.0.0.2', new Set([ours]))).toEqual([]);
    expect(() => readProbeMatches('<!DOCTYPE x [<!ENTITY a "b">]><x/>', '10.0.0.2', new Set([ours]))).toThrow(/document type/);
  });
});
