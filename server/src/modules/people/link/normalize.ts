// Contact points as sources hold them, normalised so that equal things compare equal: an email
// lower-cased and trimmed (no dot or plus folding: `a.b@x` and `ab@x` are different mailboxes
// everywhere but Gmail, and even there a studio may have two people behind them), a phone in
// E.164 (libphonenumber-js with its small metadata: a possible-length check needs no more; the
// region is the one the source gives or the configured default), a
// domain from an address, a bare host or a URL, without `www.` and a trailing dot.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export function normalizeEmail(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const email = raw.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1 || /\s/.test(email)) return null;
  const domain = normalizeDomain(email.slice(at + 1));
  return domain ? `${email.slice(0, at)}@${domain}` : null;
}

/** The domain of a normalised or raw address. */
export function emailDomain(email: string): string | null {
  const normalized = normalizeEmail(email);
  return normalized ? normalized.slice(normalized.lastIndexOf('@') + 1) : null;
}

/** `+79161234567`, or null when the text cannot be a phone number. */
export function normalizePhone(
  raw: string | null | undefined,
  region: string | null | undefined,
): string | null {
  if (!raw) return null;
  const parsed = parsePhoneNumberFromString(raw.trim(), {
    defaultCountry: (region?.toUpperCase() || undefined) as CountryCode | undefined,
  });
  // Possible (right length for the country), not valid: validity follows each country's
  // allocation plan, which changes and which made-up and newly issued numbers miss; two records
  // with the same digits are the same number either way.
  return parsed?.isPossible() ? parsed.number : null;
}

/** From `Example.COM`, `www.example.com.`, `https://www.example.com/about` or `user@example.com`. */
export function normalizeDomain(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let text = raw.trim().toLowerCase();
  if (text.includes('@') && !text.includes('/')) text = text.slice(text.lastIndexOf('@') + 1);
  if (!/^[a-z][a-z0-9+.-]*:\/\//.test(text)) text = `http://${text}`;
  let host: string;
  try {
    host = new URL(text).hostname;
  } catch {
    return null;
  }
  host = host.replace(/\.$/, '').replace(/^www\./, '');
  // A domain has a dot and no empty label; an IP address names no organisation.
  if (!host.includes('.') || host.split('.').some((l) => l === '')) return null;
  if (/^[\d.]+$/.test(host) || host.startsWith('[')) return null;
  return host;
}
