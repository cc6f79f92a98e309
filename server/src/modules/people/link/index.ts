export { linkPeople, refKey, EMAIL_DOMAIN_ENTITY } from './link-people.js';
export { FREE_MAIL_DOMAINS, isFreeMailDomain } from './free-mail.js';
export { emailDomain, normalizeDomain, normalizeEmail, normalizePhone } from './normalize.js';
export type * from './types.js';
