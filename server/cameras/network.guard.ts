import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import os from 'node:os';
import { parseAddress, type RangePolicy } from '../shared/address.ranges.js';
import { AppError } from '../shared/errors.js';

/**
 * Where the server may connect on a camera's behalf (issue 12 finding 6). Test-connection, the
 * ONVIF probe, directed discovery and camera streams all take addresses a technician types or a
 * camera sends; without a check they reach the server's own services (127.0.0.1, its own LAN
 * address) or the cloud metadata service (169.254.169.254), and their error texts tell an open
 * port from a closed one. The guard resolves the host the way the connection will (DNS, and
 * spellings such as 127.1) and keeps only addresses the admin's ranges allow; the network
 * adapters then connect to exactly those addresses, so a name cannot resolve differently
 * between the check and the connection.
 */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface TargetGuard {
  /** The host's addresses that may be reached. Throws target_not_allowed when none may, DNS errors as they come. */
  resolve(host: string): Promise<ResolvedAddress[]>;
}

/**
 * One answer for every refused target, whatever its port or host state, given before any
 * connection is tried: it tells nothing about what listens there.
 */
function targetNotAllowed(): AppError {
  return new AppError(
    'target_not_allowed',
    'This address may not be used for cameras (loopback, link-local and this server are refused by default); an admin can allow address ranges in Settings.',
    403,
  );
}

export const isTargetNotAllowed = (err: unknown): boolean => err instanceof AppError && err.code === 'target_not_allowed';

export interface NetworkGuardDeps {
  /** The admin's ranges as they are now (they change at run time). */
  policy: () => RangePolicy;
  lookup?: (host: string) => Promise<ResolvedAddress[]>;
  /** This computer's own addresses: reaching them is reaching its services, like loopback. */
  ownAddresses?: () => string[];
}

async function lookupAll(host: string): Promise<ResolvedAddress[]> {
  const found = await dns.promises.lookup(host, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

const interfaceAddresses = () =>
  Object.values(os.networkInterfaces())
    .flat()
    .flatMap((a) => (a && !a.internal ? [a.address] : []));

const key = (address: string) => {
  const a = parseAddress(address);
  return a ? `${a.family}:${a.value}` : address;
};

export class NetworkGuard implements TargetGuard {
  constructor(private readonly d: NetworkGuardDeps) {}

  async resolve(host: string): Promise<ResolvedAddress[]> {
    const bare = host.replace(/^\[|\]$/g, '');
    const family = net.isIP(bare);
    const addresses = family ? [{ address: bare, family: family as 4 | 6 }] : await (this.d.lookup ?? lookupAll)(bare);
    const policy = this.d.policy();
    const own = new Set((this.d.ownAddresses ?? interfaceAddresses)().map(key));
    const allowed = addresses.filter((a) => policy.decide(a.address).allowed && (!own.has(key(a.address)) || policy.explicitlyAllowed(a.address)));
    if (!allowed.length) throw targetNotAllowed();
    return allowed;
  }
}

/** A socket `lookup` that answers with the checked addresses only (what net and http call to resolve). */
export function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  }) as LookupFunction;
}

/**
 * The URL with its host replaced by the first allowed address, for a process (ffmpeg) that
 * would resolve the name again by itself. Credentials, port and path stay.
 */
export async function pinnedUrl(guard: TargetGuard, url: string): Promise<string> {
  const u = new URL(url);
  const [first] = await guard.resolve(u.hostname);
  u.hostname = first!.family === 6 ? `[${first!.address}]` : first!.address;
  return u.href;
}

/**
 * Refuses a URL whose host is denied. A name that does not resolve now passes: nothing is
 * reached through it now, and the connection that uses it later is checked again.
 */
export async function checkUrlAllowed(guard: TargetGuard, url: string): Promise<void> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return; // the schema has refused it already
  }
  try {
    await guard.resolve(host);
  } catch (err) {
    if (isTargetNotAllowed(err)) throw err;
  }
}
