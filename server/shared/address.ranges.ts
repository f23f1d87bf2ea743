import { isIP } from 'node:net';

/**
 * Address ranges (CIDR, IPv4 and IPv6) and the allow/deny decision for camera targets. Pure:
 * the config schema validates the defaults with it, the camera network guard decides with it.
 *
 * The decision: the most specific range containing the address wins (allow 127.0.0.1/32 beats
 * deny 127.0.0.0/8); at equal width allow wins (the admin wrote an exception); an address in
 * no range is allowed. IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are judged as IPv4.
 */
export interface AddressRange {
  family: 4 | 6;
  /** The network address as a number (bits past the prefix cleared). */
  base: bigint;
  prefix: number;
  /** Canonical text, e.g. 127.0.0.0/8 or fe80::/10. */
  text: string;
}

export interface RangeLists {
  allow: readonly string[];
  deny: readonly string[];
}

export type RangeDecision = { allowed: boolean; range: string | null };

const BITS = { 4: 32, 6: 128 } as const;

/** 4 or 6 and the address as a number; undefined when it is not an IP address. */
export function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const s = text.trim().replace(/^\[|\]$/g, '');
  const family = isIP(s);
  if (family === 4) return { family: 4, value: ipv4Value(s) };
  if (family === 6) {
    const value = ipv6Value(s.replace(/%.*$/, ''));
    // ::ffff:a.b.c.d reaches the IPv4 address a.b.c.d: judge it as that.
    if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
    return { family: 6, value };
  }
  return undefined;
}

function ipv4Value(s: string): bigint {
  return s.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(s: string): bigint {
  let text = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4Value(v4[1]!);
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatValue(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups (two or more) becomes "::".
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.len < 2) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** "10.0.0.0/8", "fe80::/10", or one address ("192.168.1.5" = /32). Throws a sentence saying what is wrong. */
export function parseRange(input: string): AddressRange {
  const raw = input.trim();
  const [addr, prefixText, extra] = raw.split('/');
  if (extra !== undefined || !addr) throw new Error(`"${raw}" is not an address range such as 192.168.1.0/24 or fe80::/10`);
  const parsed = parseAddress(addr);
  if (!parsed || addr.includes('%')) throw new Error(`"${addr}" is not an IPv4 or IPv6 address`);
  // A range written in IPv6 notation stays IPv6 even for ::ffff:… (its prefix counts 128 bits).
  const family: 4 | 6 = isIP(addr.replace(/^\[|\]$/g, '')) === 6 ? 6 : 4;
  const value = family === 6 && parsed.family === 4 ? (0xffffn << 32n) | parsed.value : parsed.value;
  const bits = BITS[family];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) throw new Error(`"/${prefixText}" is not a prefix length (0–${bits})`);
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) throw new Error(`/${prefix} is longer than an IPv${family} address (${bits} bits)`);
  const hostBits = BigInt(bits - prefix);
  const base = (value >> hostBits) << hostBits;
  return { family, base, prefix, text: `${formatValue(family, base)}/${prefix}` };
}

function contains(r: AddressRange, a: { family: 4 | 6; value: bigint }): boolean {
  // ::ffff:0:0/96 style IPv6 ranges also hold the IPv4 addresses they map.
  let value = a.value;
  if (r.family !== a.family) {
    if (r.family !== 6 || a.family !== 4) return false;
    value = (0xffffn << 32n) | a.value;
  }
  const hostBits = BigInt(BITS[r.family] - r.prefix);
  return value >> hostBits === r.base >> hostBits;
}

/** The compiled lists, ready to decide many addresses. */
export class RangePolicy {
  private readonly allow: AddressRange[];
  private readonly deny: AddressRange[];

  constructor(lists: RangeLists) {
    this.allow = lists.allow.map(parseRange);
    this.deny = lists.deny.map(parseRange);
  }

  decide(address: string): RangeDecision {
    const a = parseAddress(address);
    if (!a) return { allowed: false, range: null };
    const best = (list: AddressRange[]) => list.filter((r) => contains(r, a)).sort((x, y) => specificity(y) - specificity(x))[0];
    const allow = best(this.allow);
    const deny = best(this.deny);
    if (deny && (!allow || specificity(deny) > specificity(allow))) return { allowed: false, range: deny.text };
    return { allowed: true, range: allow?.text ?? null };
  }

  /** Whether an allow range (not just "in no range") holds the address. */
  explicitlyAllowed(address: string): boolean {
    const a = parseAddress(address);
    return !!a && this.allow.some((r) => contains(r, a));
  }
}

/** Width of a range in host bits, compared across families: an IPv4 /8 is as wide as an IPv6 /104. */
const specificity = (r: AddressRange) => r.prefix + (r.family === 4 ? 96 : 0);

/**
 * Loopback, "this host" (0.0.0.0 and :: reach the server itself) and link-local (which holds
 * the cloud metadata address 169.254.169.254): what a camera address may not be by default.
 */
export const DEFAULT_DENIED_RANGES = ['127.0.0.0/8', '::1/128', '0.0.0.0/8', '::/128', '169.254.0.0/16', 'fe80::/10'] as const;

/** Normalised, de-duplicated lists; throws naming the first bad entry (`allow.2: …`). */
export function normaliseRangeLists(lists: RangeLists): { allow: string[]; deny: string[] } {
  const norm = (key: 'allow' | 'deny') => [
    ...new Set(
      lists[key].map((entry, i) => {
        try {
          return parseRange(entry).text;
        } catch (err) {
          throw new Error(`${key}.${i}: ${(err as Error).message}`);
        }
      }),
    ),
  ];
  return { allow: norm('allow'), deny: norm('deny') };
}
