// Mailbox providers: anyone can have an address there, so an address at one of these domains says
// who a person is (it can tie two records of one person) but never which company they work for.
// A company's domain links its Attio company, its Linear customer and its people's Chatwoot
// contacts; a gmail.com address linking organisations would merge every client with a Gmail user
// into one. The list is the providers the studio's clients use (Russia and the UK) plus the large
// international ones; extend it here, in one place, when a new provider shows up in the data.
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  // International.
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.com',
  'gmx.net',
  'zoho.com',
  'fastmail.com',
  // Russia: Mail.ru Group's domains and Yandex's.
  'mail.ru',
  'bk.ru',
  'inbox.ru',
  'list.ru',
  'internet.ru',
  'yandex.ru',
  'yandex.com',
  'ya.ru',
  'rambler.ru',
  // The Chatwoot simulator's stand-in for a mailbox provider (tools/chatwoot-sim, imported
  // contacts). `.example` is reserved (RFC 2606), so no real company can own it.
  'mail.example',
]);

export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL_DOMAINS.has(domain);
}
