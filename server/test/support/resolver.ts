import type { HostResolver } from '../../src/lib/net/host-policy.js';

/** A public address that tests may "resolve" names to; nothing ever connects to it. */
export const PUBLIC_ADDRESS = '93.184.215.14';

/**
 * A DNS stand-in for tests: the names given answer with their addresses, every `*.example.com`
 * with PUBLIC_ADDRESS, and anything else does not resolve. Tests never query real DNS.
 */
export function testResolver(names: Record<string, string[]> = {}): HostResolver {
  return async (hostname) => {
    const addresses =
      names[hostname] ?? (hostname.endsWith('.example.com') ? [PUBLIC_ADDRESS] : undefined);
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}
