import type { NetworkInterfaceInfo } from 'node:os';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

/**
 * WS-Discovery of ONVIF cameras: multicast probes on chosen IPv4 interfaces (through the
 * `onvif` library, see onvif.discovery.adapters.ts) and directed unicast probes to typed
 * addresses, repeated because UDP loses packets, merged by endpoint reference.
 */
export interface DiscoveryMatch {
  /** Endpoint reference address, e.g. urn:uuid:…: stable per device, the de-duplication key. */
  endpoint: string;
  /** Source IP of the answer. */
  from: string;
  types: string[];
  scopes: string[];
  xaddrs: string[];
}

export interface DiscoveredDevice {
  endpoint: string;
  address: string;
  xaddrs: string[];
  /** The XAddr on the answering address when there is one (else the first): what to probe. */
  deviceServiceUrl: string | null;
  scopes: { name: string | null; hardware: string | null; location: string | null; all: string[] };
  types: string[];
}

/** Sends multicast probes bound to each interface's address; resolves after timeoutMs. */
export interface MulticastProber {
  probe(ifaces: { name: string; address: string }[], timeoutMs: number, repeats: number): Promise<DiscoveryMatch[]>;
}

/** Sends directed probes to host:port; resolves after timeoutMs. */
export interface UnicastProber {
  probe(host: string, port: number, timeoutMs: number, repeats: number): Promise<DiscoveryMatch[]>;
}

export interface DiscoveryDeps {
  networkInterfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  multicast: MulticastProber;
  unicast: UnicastProber;
  log: Logger;
}

export interface DiscoveryOptions {
  /** Interface names; undefined = every non-internal interface with an IPv4 address. */
  interfaces?: string[];
  /** Directed probes to host or host:port (port 3702 by default); with targets and no interfaces, no multicast is sent. */
  targets?: string[];
  timeoutMs?: number;
  repeats?: number;
}

export interface DiscoveryReport {
  devices: DiscoveredDevice[];
  interfaces: string[];
  targets: string[];
}

export const WS_DISCOVERY_PORT = 3702;

export class OnvifDiscovery {
  constructor(private readonly d: DiscoveryDeps) {}

  /**
   * Interface names → their IPv4 address. Names are checked here because the `onvif`
   * library silently probes on the default interface when it does not know a name.
   */
  resolveInterfaces(names: string[] | undefined): { name: string; address: string }[] {
    const all = this.d.networkInterfaces();
    const ipv4 = (name: string, internalOk: boolean) => (all[name] ?? []).find((a) => a.family === 'IPv4' && (internalOk || !a.internal));
    if (!names) {
      return Object.keys(all).flatMap((name) => {
        const a = ipv4(name, false);
        return a ? [{ name, address: a.address }] : [];
      });
    }
    return names.map((name, i) => {
      const field = `interfaces.${i}`;
      if (!all[name]) {
        const known = Object.keys(all).join(', ') || 'none';
        throw new AppError('unknown_interface', `Network interface "${name}" does not exist on this computer (it has: ${known}).`, 400, {
          field,
          params: { name, known },
        });
      }
      const a = ipv4(name, true);
      if (!a)
        throw new AppError('interface_without_ipv4', `Network interface "${name}" has no IPv4 address: connect it to the cameras' network first.`, 400, {
          field,
          params: { name },
        });
      return { name, address: a.address };
    });
  }

  async discover(opts: DiscoveryOptions = {}): Promise<DiscoveryReport> {
    const timeoutMs = opts.timeoutMs ?? 3000;
    const repeats = opts.repeats ?? 3;
    const targets = (opts.targets ?? []).map((t, i) => parseUdpTarget(t, `targets.${i}`));
    const ifaces = opts.interfaces === undefined && targets.length ? [] : this.resolveInterfaces(opts.interfaces);
    if (!ifaces.length && !targets.length) {
      throw new AppError(
        'no_interfaces',
        "No network interface with an IPv4 address to discover cameras on: connect to the cameras' network, or type the camera's address.",
        400,
        { field: 'interfaces' },
      );
    }
    this.d.log.debug('discovery started', { interfaces: ifaces.map((i) => i.name), targets: targets.length, timeoutMs, repeats });
    const batches = await Promise.all([
      ifaces.length ? this.d.multicast.probe(ifaces, timeoutMs, repeats) : Promise.resolve([]),
      ...targets.map((t) => this.d.unicast.probe(t.host, t.port, timeoutMs, repeats)),
    ]);
    const devices = mergeMatches(batches.flat());
    this.d.log.info('discovery finished', { found: devices.length, interfaces: ifaces.map((i) => i.name) });
    return { devices, interfaces: ifaces.map((i) => i.name), targets: targets.map((t) => `${t.host}:${t.port}`) };
  }
}

function parseUdpTarget(raw: string, field: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(raw.trim());
  const port = m?.[2] ? Number(m[2]) : WS_DISCOVERY_PORT;
  if (!m || port < 1 || port > 65535) {
    throw new AppError('validation', `${field}: "${raw.slice(0, 60)}" is not host or host:port`, 400, { field, params: { reason: 'not host or host:port' } });
  }
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** One device per endpoint; XAddrs and scopes of repeated answers are united. */
export function mergeMatches(matches: DiscoveryMatch[]): DiscoveredDevice[] {
  const byEndpoint = new Map<string, DiscoveryMatch>();
  for (const m of matches) {
    const key = m.endpoint || m.xaddrs[0] || m.from;
    const prev = byEndpoint.get(key);
    byEndpoint.set(
      key,
      prev
        ? {
            ...prev,
            types: unique([...prev.types, ...m.types]),
            scopes: unique([...prev.scopes, ...m.scopes]),
            xaddrs: unique([...prev.xaddrs, ...m.xaddrs]),
          }
        : { ...m, endpoint: key },
    );
  }
  return [...byEndpoint.values()].map(toDevice).sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
}

function toDevice(m: DiscoveryMatch): DiscoveredDevice {
  const xaddrs = m.xaddrs.filter((x) => /^https?:\/\//i.test(x));
  const onAnswering = xaddrs.find((x) => hostOf(x) === m.from);
  return {
    endpoint: m.endpoint,
    address: m.from,
    xaddrs,
    // A camera may advertise an address it does not answer from (NAT, several addresses): the
    // one that answered is the one known to work, with the advertised port and path.
    deviceServiceUrl: onAnswering ?? (xaddrs[0] ? rehost(xaddrs[0], m.from) : null),
    scopes: readScopes(m.scopes),
    types: m.types,
  };
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

function rehost(url: string, address: string): string {
  const u = new URL(url);
  u.hostname = address.includes(':') ? `[${address}]` : address;
  return u.href;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

/** onvif://www.onvif.org/name/Cong%20truoc → name "Cong truoc" (ONVIF Core §7.3.2.2). */
export function readScopes(scopes: string[]): DiscoveredDevice['scopes'] {
  const values = (kind: string) =>
    scopes.flatMap((s) => {
      const m = new RegExp(`^onvif://www\\.onvif\\.org/${kind}/(.+)$`, 'i').exec(s);
      return m ? [safeDecode(m[1]!)] : [];
    });
  const first = (kind: string) => values(kind)[0] ?? null;
  const location = values('location');
  return { name: first('name'), hardware: first('hardware'), location: location.length ? location.join(', ') : null, all: scopes };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
