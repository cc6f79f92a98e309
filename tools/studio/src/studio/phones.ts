// The same phone number as people type it: Chatwoot stores E.164, a CRM keeps what was typed
// ("8 (916) 123-45-67"), so linking must normalise. Only the two countries the studio works with.

export type PhoneStyle = 'e164' | 'national' | 'international' | 'compact';

export interface PhoneNumber {
  /** +79161234567 */
  e164: string;
  /** ISO 3166-1 alpha-2. */
  countryCode: 'RU' | 'GB';
}

export function phoneOf(e164: string): PhoneNumber {
  if (/^\+7\d{10}$/.test(e164)) return { e164, countryCode: 'RU' };
  if (/^\+44\d{10}$/.test(e164)) return { e164, countryCode: 'GB' };
  throw new Error(`unsupported phone number ${e164}`);
}

/** The number written the way a person in that country would type it. */
export function formatPhone(phone: PhoneNumber, style: PhoneStyle): string {
  if (style === 'e164') return phone.e164;
  if (phone.countryCode === 'RU') {
    const d = phone.e164.slice(2);
    const [a, b, c, e] = [d.slice(0, 3), d.slice(3, 6), d.slice(6, 8), d.slice(8, 10)];
    if (style === 'national') return `8 (${a}) ${b}-${c}-${e}`;
    if (style === 'international') return `+7 ${a} ${b}-${c}-${e}`;
    return `8${d}`;
  }
  const d = phone.e164.slice(3);
  if (style === 'national') return `0${d.slice(0, 4)} ${d.slice(4)}`;
  if (style === 'international') return `+44 ${d.slice(0, 4)} ${d.slice(4)}`;
  return `0${d}`;
}
