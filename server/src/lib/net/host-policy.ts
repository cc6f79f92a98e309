import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which hosts Cairn may open a connection to on a user's behalf (a source's `base_url`, later
 * Linear, Attio and webhook targets). Public unicast addresses only, unless SOURCE_HOST_ALLOWLIST
 * names the host, its address, or a range holding it. The ranges come from ipaddr.js, which tracks
 * the IANA special-purpose registries; only the policy (what is refused, and the allowlist) is ours.
 */

/** Resolves a host name to every address it has, in the resolver's order. */
export type HostResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: HostResolver = (hostname) =>
  lookup(hostname, { all: true, verbatim: true });

export interface HostAllowlist {
  /** Lower-case host names, opened whatever they resolve to. */
  hostnames: ReadonlySet<string>;
  /** Addresses and CIDR ranges whose members are opened. */
  ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

export interface HostPolicy {
  allowlist: HostAllowlist;
  resolve: HostResolver;
}

export const EMPTY_ALLOWLIST: HostAllowlist = { hostnames: new Set(), ranges: [] };

// How each refused range is named to the person who typed the URL.
const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'private network',
  uniqueLocal: 'private network (fc00::/7)',
  linkLocal: 'link-local',
  deprecatedSiteLocal: 'site-local',
  carrierGradeNat: 'shared (carrier-grade NAT)',
  multicast: 'multicast',
  broadcast: 'broadcast',
  unspecified: 'unspecified',
  ipv4Compatible: 'IPv4-compatible',
};

// ipaddr.js names ::a.b.c.d (deprecated IPv4-compatible, RFC 4291 §2.5.5.1) nothing and calls it
// unicast; some stacks still route it to the embedded IPv4 address, so it is refused outright.
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');

/**
 * Why an address may not be connected to, or null for a public unicast address. IPv4-mapped
 * IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries.
 */
export function refusedRange(address: string): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.process(address.replace(/^\[(.*)\]$/, '$1'));
  } catch {
    return 'unparseable';
  }
  if (ip.kind() === 'ipv6' && ip.match(IPV4_COMPATIBLE)) return 'ipv4Compatible';
  const range = ip.range();
  return range === 'unicast' ? null : range;
}

/** A refused range in words, e.g. "loopback". */
export function describeRange(range: string): string {
  return RANGE_NAMES[range] ?? `reserved: ${range}`;
}

/**
 * Parses SOURCE_HOST_ALLOWLIST: comma-separated host names, IP addresses and CIDR ranges. Throws
 * naming the first entry that is none of these, so a typo stops the boot instead of silently
 * opening nothing (or everything).
 */
export function parseHostAllowlist(raw: string | undefined): HostAllowlist {
  const hostnames = new Set<string>();
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const entry of (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const bare = entry.replace(/^\[(.*)\]$/, '$1');
    if (bare.includes('/')) {
      if (!ipaddr.isValidCIDR(bare) || !isIP(bare.split('/')[0]!))
        throw new Error(`"${entry}" is not a CIDR range`);
      const [network, bits] = ipaddr.parseCIDR(bare);
      ranges.push([
        unmap(network),
        network.kind() === 'ipv6' && isMapped(network) ? bits - 96 : bits,
      ]);
    } else if (isIP(bare)) {
      // isIP, not ipaddr.isValid: only the canonical forms, never 127.1 or 0x7f000001.
      const ip = unmap(ipaddr.parse(bare));
      ranges.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?)+$/i.test(bare)) {
      hostnames.add(bare.toLowerCase().replace(/\.$/, ''));
    } else {
      throw new Error(`"${entry}" is not a host name, an IP address or a CIDR range`);
    }
  }
  return { hostnames, ranges };
}

function isMapped(ip: ipaddr.IPv4 | ipaddr.IPv6): ip is ipaddr.IPv6 {
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress();
}

function unmap(ip: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return isMapped(ip) ? ip.toIPv4Address() : ip;
}

function inAllowlist(allowlist: HostAllowlist, address: string): boolean {
  const ip = unmap(ipaddr.parse(address));
  return allowlist.ranges.some(
    ([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits),
  );
}

/** A request refused before any connection was opened; the message is safe to show. */
export class HostBlockedError extends Error {
  readonly code = 'ERR_HOST_BLOCKED';
  constructor(
    message: string,
    readonly reason: 'private_address' | 'unresolvable' | 'no_address',
  ) {
    super(message);
    this.name = 'HostBlockedError';
  }
}

/** The URL host without IPv6 brackets and trailing dot, lower-cased. */
export function bareHost(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * The addresses of `hostname` that may be connected to, in the resolver's order; throws a
 * HostBlockedError when there is none. A name on the allowlist may resolve anywhere; otherwise
 * every address is judged on its own, and refused ones are dropped, so a name answering with one
 * public and one private address still only ever reaches the public one.
 */
export async function allowedAddresses(hostname: string, policy: HostPolicy): Promise<string[]> {
  const host = bareHost(hostname);
  const named = policy.allowlist.hostnames.has(host);
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await policy.resolve(host)).map((a) => a.address);
    } catch {
      throw new HostBlockedError('host could not be resolved', 'unresolvable');
    }
    if (addresses.length === 0)
      throw new HostBlockedError('host could not be resolved', 'unresolvable');
  }
  // An IPv4-mapped answer is dialled as the IPv4 address it stands for, the one judged.
  const dialable = addresses.map((a) => (isIP(a) ? unmap(ipaddr.parse(a)).toString() : a));
  if (named) return dialable;
  const allowed: string[] = [];
  let refused: string | null = null;
  for (const address of dialable) {
    const range = refusedRange(address);
    if (range === null || inAllowlist(policy.allowlist, address)) allowed.push(address);
    else refused ??= range;
  }
  if (allowed.length > 0) return allowed;
  throw new HostBlockedError(
    `host resolves to a private address (${describeRange(refused ?? 'unparseable')}); ` +
      'add it to SOURCE_HOST_ALLOWLIST to allow',
    refused === null ? 'no_address' : 'private_address',
  );
}
