import { allowedAddresses, HostBlockedError, type HostPolicy } from './host-policy.js';

/** A user-supplied URL that may not be used; the message names the problem, never the URL. */
export class OutboundUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundUrlError';
  }
}

/**
 * Parses a URL a user gives for Cairn to call (a source's base URL): http or https, a host, a
 * port from 1 to 65535, and no credentials in it (a token belongs in its own field, encrypted,
 * not in a URL that is stored, listed and logged). Numeric hosts in any spelling (`2130706433`,
 * `0x7f000001`, `0177.0.0.1`, `127.1`) come out normalised by the WHATWG URL parser, so the address
 * check that follows sees the address that will be dialled.
 */
export function parseOutboundUrl(raw: string): URL {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(raw)?.[1];
  if (authority === undefined) throw new OutboundUrlError('must be an absolute http(s) URL');
  if (authority.includes('@'))
    throw new OutboundUrlError('must not contain a user name or password');
  const port = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority)?.[1];
  if (port !== undefined && port !== '' && !/^\d{1,5}$/.test(port))
    throw new OutboundUrlError('port must be a number from 1 to 65535');
  if (port !== undefined && port !== '' && (Number(port) < 1 || Number(port) > 65535))
    throw new OutboundUrlError('port must be a number from 1 to 65535');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError('is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OutboundUrlError('must use http or https');
  if (!url.hostname) throw new OutboundUrlError('must name a host');
  return url;
}

/** Parses the URL and checks its host against the policy, as a request to it would be. */
export async function checkOutboundUrl(raw: string, policy: HostPolicy): Promise<URL> {
  const url = parseOutboundUrl(raw);
  try {
    await allowedAddresses(url.hostname, policy);
  } catch (error) {
    if (error instanceof HostBlockedError) throw new OutboundUrlError(error.message);
    throw error;
  }
  return url;
}
