import { isIP } from 'node:net';

/**
 * TRUST_PROXY: which direct peers may say who the client is in `X-Forwarded-For`. Fastify hands
 * the list to proxy-addr, which walks the header from the right and stops at the first address
 * not trusted, so `request.ip` is the nearest hop no trusted proxy vouches for. The default,
 * `loopback`, is the bundled web process's /api proxy on the same host (web/src/server/proxy.ts);
 * `none` trusts nobody, and `request.ip` is always the socket's address.
 */

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** The entries, or false for `none`; throws naming the first entry that is not an address. */
export function trustedProxies(raw: string): string[] | false {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0 || (entries.length === 1 && entries[0] === 'none')) return false;
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const valid =
      NAMED_RANGES.has(entry) ||
      (extra === undefined &&
        isIP(address!) !== 0 &&
        (bits === undefined ||
          (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address!) === 4 ? 32 : 128))));
    if (!valid)
      throw new Error(
        `"${entry}" is not an IP address, a CIDR range, loopback, linklocal, uniquelocal or none`,
      );
  }
  return entries;
}
