import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import onvif from 'onvif';
import type { Logger } from '../shared/log.js';
import { isTargetNotAllowed, type TargetGuard } from './network.guard.js';
import type { DiscoveryMatch, MulticastProber, UnicastProber } from './onvif.discovery.js';
import { child, children, parseXml, textAt, XmlError } from './onvif.xml.js';

/**
 * The side effects of discovery: the `onvif` library's multicast Discovery.probe, and our own
 * directed unicast probe (the library can only multicast).
 */

const WSD_NS = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';
const WSA_NS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';

/** A Probe for NetworkVideoTransmitter, as the library sends it (WS-Discovery 2005/04, ONVIF Core §7.3). */
export function probeMessage(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="' +
    WSA_NS +
    '" xmlns:d="' +
    WSD_NS +
    '" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    '<s:Header><a:MessageID>' +
    messageId +
    '</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>' +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>'
  );
}

/**
 * ProbeMatches → matches, with the hardened parser. Only answers relating to one of our
 * message ids count, so stray or forged datagrams are ignored.
 */
export function readProbeMatches(xml: string, from: string, messageIds: ReadonlySet<string>): DiscoveryMatch[] {
  const root = parseXml(xml, { maxChars: 65_536, maxNodes: 2_000, maxDepth: 32 });
  if (root.name !== 'Envelope') return [];
  const relatesTo = textAt(root, 'Header', 'RelatesTo');
  if (!relatesTo || !messageIds.has(relatesTo)) return [];
  const matches = child(child(root, 'Body'), 'ProbeMatches');
  if (!matches || matches.ns !== WSD_NS) return [];
  return children(matches, 'ProbeMatch').flatMap((m) => {
    const endpoint = textAt(m, 'EndpointReference', 'Address');
    const xaddrs = words(textAt(m, 'XAddrs'));
    return endpoint || xaddrs.length ? [{ endpoint: endpoint ?? '', from, types: words(textAt(m, 'Types')), scopes: words(textAt(m, 'Scopes')), xaddrs }] : [];
  });
}

const words = (s: string | null) => (s ? s.split(/\s+/).filter(Boolean) : []);

/**
 * Directed probes from an ephemeral UDP port, repeated `repeats` times across the first half of
 * the timeout. With a guard (the server), the target's addresses are checked first and the
 * datagrams go to the checked address only.
 */
export function createUnicastProber(log: Logger, guard?: TargetGuard): UnicastProber {
  return {
    probe: async (target, port, timeoutMs, repeats) => {
      let host = target;
      try {
        if (guard) host = (await guard.resolve(target))[0]!.address;
      } catch (err) {
        if (isTargetNotAllowed(err)) throw err;
        log.debug('discovery: target does not resolve', { target, err });
        return [];
      }
      return sendProbes(log, host, port, timeoutMs, repeats);
    },
  };
}

function sendProbes(log: Logger, host: string, port: number, timeoutMs: number, repeats: number): Promise<DiscoveryMatch[]> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const ids = new Set<string>();
    const found: DiscoveryMatch[] = [];
    const timers: NodeJS.Timeout[] = [];
    socket.on('message', (msg, rinfo) => {
      try {
        found.push(...readProbeMatches(msg.toString('utf8'), rinfo.address, ids));
      } catch (err) {
        // A hostile or broken datagram must not stop discovery (or the process): note it and go on.
        const reason = err instanceof XmlError ? err.reason : String(err);
        log.debug('discovery: unreadable answer ignored', { from: rinfo.address, reason });
      }
    });
    socket.on('error', (err) => log.warn('discovery: unicast probe failed', { host, port, err }));
    const send = () => {
      const id = `urn:uuid:${randomUUID()}`;
      ids.add(id);
      socket.send(probeMessage(id), port, host, (err) => {
        if (err) log.debug('discovery: probe not sent', { host, port, err });
      });
    };
    socket.bind(0, () => {
      for (let i = 0; i < repeats; i++) timers.push(setTimeout(send, Math.floor((i * timeoutMs) / (2 * Math.max(1, repeats)))));
    });
    timers.push(
      setTimeout(() => {
        timers.forEach(clearTimeout);
        socket.close();
        resolve(found);
      }, timeoutMs),
    );
  });
}

interface LibraryRemoteInfo {
  address: string;
}

/**
 * Multicast through `onvif`'s Discovery.probe bound to the interface's address (the `device`
 * option). The library's Discovery is a process-wide emitter, so runs are serialised and an
 * 'error' listener stays attached: without one, a malformed datagram arriving after a run
 * would throw from the emitter and bring the process down.
 */
export function createLibraryMulticastProber(log: Logger): MulticastProber {
  const discovery = onvif.Discovery;
  // One listener for the process-wide emitter is enough (and more would trip the leak warning).
  if (discovery.listenerCount('error') === 0) {
    discovery.on('error', (err: unknown) => log.debug('discovery: unreadable answer ignored', { err: String(err).slice(0, 200) }));
  }
  let queue: Promise<unknown> = Promise.resolve();
  const run = (ifaces: { name: string; address: string }[], timeoutMs: number, repeats: number) =>
    new Promise<DiscoveryMatch[]>((resolve) => {
      const found: DiscoveryMatch[] = [];
      const onDevice = (data: unknown, rinfo: LibraryRemoteInfo) => found.push(...fromLibrary(data, rinfo.address));
      discovery.on('device', onDevice);
      let pending = repeats * ifaces.length;
      if (!pending) return resolve(found);
      for (let i = 0; i < repeats; i++) {
        const delay = Math.floor((i * timeoutMs) / (2 * Math.max(1, repeats)));
        for (const iface of ifaces) {
          setTimeout(() => {
            discovery.probe({ device: iface.name, timeout: Math.max(1, timeoutMs - delay), resolve: false }, (err) => {
              if (err && !Array.isArray(err)) log.warn('discovery: multicast probe failed', { iface: iface.name, err });
              if (--pending === 0) {
                discovery.removeListener('device', onDevice);
                resolve(found);
              }
            });
          }, delay);
        }
      }
    });
  return {
    probe(ifaces, timeoutMs, repeats) {
      // Discovery is one emitter for the whole process: two runs at once would see each
      // other's devices, so runs wait for each other.
      const next = queue.then(() => run(ifaces, timeoutMs, repeats));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

/** The library's namespace-stripped, "linerased" object for one ProbeMatches message. */
export function fromLibrary(data: unknown, from: string): DiscoveryMatch[] {
  const pm = get(get(data, 'probeMatches'), 'probeMatch');
  const list: unknown[] = Array.isArray(pm) ? pm : pm === undefined ? [] : [pm];
  return list.flatMap((m) => {
    const endpoint = str(get(get(m, 'endpointReference'), 'address'));
    const xaddrs = words(str(get(m, 'XAddrs')));
    return endpoint || xaddrs.length ? [{ endpoint, from, xaddrs, types: words(str(get(m, 'types'))), scopes: words(str(get(m, 'scopes'))) }] : [];
  });
}

function get(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>)[key] : undefined;
}

/** Text content whether xml2js gave a string, a number, or {_: text, $: attrs}. */
function str(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  const text = get(v, '_');
  return typeof text === 'string' ? text : '';
}
