// Builds the studio for a seed: Chatwoot's clients first (read, never changed), then the companies
// and people only the CRM and the tracker know, then the deliberate linking traps. Everything is a
// function of (seed, size): the same inputs give the same ids, names and addresses.
import {
  chatwootClients,
  DEFAULT_HISTORY_END,
  hashString,
  mix,
  rngFor,
  type ChatwootClientContact,
  type Language,
  type Rng,
} from '@cairn/chatwoot-sim';
import {
  COMPANY_PARTS,
  EN_SURNAMES,
  FIRST_NAMES,
  FREE_MAIL_DOMAINS,
  PERSONAL_MAIL,
  RU_SURNAMES,
  translit,
} from './names.js';
import { formatPhone, phoneOf, type PhoneStyle } from './phones.js';
import type {
  PersonTrap,
  Studio,
  StudioCompany,
  StudioEmail,
  StudioOptions,
  StudioPerson,
  StudioPhone,
  StudioSize,
  StudioSizeName,
  StudioStaff,
} from './types.js';

export const STUDIO_PRESETS: Readonly<Record<StudioSizeName, StudioSize>> = {
  tiny: { chatwootSize: 'tiny', companies: 18, people: 40 },
  small: { chatwootSize: 'small', companies: 24, people: 260 },
  medium: { chatwootSize: 'medium', companies: 200, people: 2_000 },
  bench: { chatwootSize: 'small', companies: 2_000, people: 5_125 },
};

export function resolveStudioSize(size: StudioOptions['size']): StudioSize {
  if (size === undefined) return STUDIO_PRESETS.tiny;
  if (typeof size === 'string') {
    const preset = STUDIO_PRESETS[size];
    if (!preset)
      throw new Error(`unknown studio size "${String(size)}" (tiny, small, medium, bench)`);
    return preset;
  }
  for (const key of ['companies', 'people'] as const) {
    if (!Number.isInteger(size[key]) || size[key] < 0)
      throw new Error(`size.${key} must be a non-negative integer`);
  }
  return size;
}

/** Namespaces of the seeded id streams, so adding one kind never shifts another's ids. */
const NS = {
  studio: 7_000,
  companyAttio: 7_001,
  companyLinear: 7_002,
  personAttio: 7_003,
  staffLinear: 7_004,
  staffAttio: 7_005,
  company: 7_010,
  person: 7_011,
  contact: 7_012,
  traps: 7_013,
} as const;

const DAY = 86_400;
const YEAR = 365 * DAY;

export function buildStudio(options: StudioOptions = {}): Studio {
  const seed = String(options.seed ?? 1);
  const seedHash = hashString(seed);
  const size = resolveStudioSize(options.size);
  const historyEnd = options.historyEndsAt ?? DEFAULT_HISTORY_END;
  const clients = chatwootClients({
    seed,
    size: size.chatwootSize,
    historyEndsAt: historyEnd,
  });
  const base = mix(seedHash, NS.studio);
  const uuid = (ns: number, index: number) => rngFor(base, ns, index).uuid();

  const staff = buildStaff(clients.agents, historyEnd, uuid);
  const companies = buildCompanies(clients, size, base, historyEnd, uuid);
  const byKey = new Map(companies.map((c) => [c.key, c]));
  const people: StudioPerson[] = [];
  const taken = new Set<string>();
  const addPerson = (draft: Omit<StudioPerson, 'index' | 'key'>): StudioPerson => {
    const person: StudioPerson = {
      index: people.length,
      key: `person-${String(people.length + 1).padStart(4, '0')}`,
      ...draft,
    };
    for (const email of person.emails) taken.add(email.address);
    people.push(person);
    return person;
  };

  const byAddress = new Map<string, StudioPerson>();
  for (const contact of clients.contacts) {
    const same = contact.email === null ? undefined : byAddress.get(contact.email);
    if (same) {
      same.chatwootContactIds.push(contact.id);
      continue;
    }
    const rng = rngFor(base, NS.contact, contact.id);
    const person = addPerson(personFromContact(contact, byKey, rng, uuid, people.length));
    if (contact.email !== null) byAddress.set(contact.email, person);
  }

  const apart: Studio['apart'] = [];
  addTraps(base, people, companies, addPerson, apart, uuid, taken);

  const target = Math.max(size.people, people.length);
  for (let i = people.length; i < target; i++) {
    const rng = rngFor(base, NS.person, i);
    const company = companies[pickCompanyIndex(rng, companies.length)]!;
    addPerson(generatedPerson(rng, company, historyEnd, uuid(NS.personAttio, i), taken));
  }

  return {
    seed,
    seedHash,
    size,
    historyEnd,
    name: clients.studio.name,
    host: clients.studio.host,
    slug: clients.studio.host.split(/[-.]/)[0]!,
    staff,
    companies,
    people,
    topics: clients.topics,
    freeMailDomains: FREE_MAIL_DOMAINS,
    apart,
  };
}

function splitName(name: string): { firstName: string; lastName: string } {
  const [firstName = name, ...rest] = name.split(' ');
  return { firstName, lastName: rest.join(' ') };
}

function buildStaff(
  agents: ReturnType<typeof chatwootClients>['agents'],
  historyEnd: number,
  uuid: (ns: number, index: number) => string,
): StudioStaff[] {
  const host = agents[0]?.email.split('@')[1] ?? 'linia-studio.example';
  const members = [
    ...agents.map((agent) => ({
      name: agent.name,
      email: agent.email,
      role: agent.role === 'administrator' ? ('admin' as const) : ('member' as const),
      active: true,
      chatwootAgentId: agent.id as number | null,
    })),
    // Someone who left: still the author of old issues, suspended in the CRM, unknown to Chatwoot.
    {
      name: 'Ольга Зайцева',
      email: `olga.zaitseva@${host}`,
      role: 'member' as const,
      active: false,
      chatwootAgentId: null,
    },
  ];
  return members.map((member, index) => ({
    index,
    key: `staff-${index + 1}`,
    ...splitName(member.name),
    name: member.name,
    email: member.email,
    // Linear keeps the address as the person typed it at sign-up; one of them used capitals.
    linearEmail: member.email === `mark.jensen@${host}` ? `Mark.Jensen@${host}` : member.email,
    role: member.role,
    active: member.active,
    chatwootAgentId: member.chatwootAgentId,
    linearUserId: uuid(NS.staffLinear, index),
    attioWorkspaceMemberId: uuid(NS.staffAttio, index),
    createdAt: historyEnd - 2 * YEAR + index * 9 * DAY,
  }));
}

function buildCompanies(
  clients: ReturnType<typeof chatwootClients>,
  size: StudioSize,
  base: number,
  historyEnd: number,
  uuid: (ns: number, index: number) => string,
): StudioCompany[] {
  const topicKeys = clients.topics.map((t) => t.key);
  const companies: StudioCompany[] = clients.companies.map((company, index) => {
    const rng = rngFor(base, NS.company, index);
    const contacts = clients.contacts.filter((c) => c.companySlug === company.slug);
    const topics: string[] = [];
    for (const contact of contacts)
      for (const key of contact.topicKeys) if (!topics.includes(key)) topics.push(key);
    if (topics.length === 0) topics.push(rng.pick(topicKeys));
    const firstSeen = Math.min(historyEnd, ...contacts.map((c) => c.createdAt));
    return {
      index,
      key: company.slug,
      name: company.name,
      language: company.language,
      // Two clients own a second domain (a shop); links must accept either.
      domains:
        index % 9 === 4 ? [company.domain, `${company.slug}-shop.example`] : [company.domain],
      fromChatwoot: true,
      topics,
      attioRecordId: uuid(NS.companyAttio, index),
      linearCustomerId: uuid(NS.companyLinear, index),
      createdAt: firstSeen - rng.int(2, 40) * DAY,
    };
  });
  for (let index = companies.length; index < size.companies; index++) {
    const rng = rngFor(base, NS.company, index);
    const language: Language = rng.chance(0.6) ? 'ru' : 'en';
    const named = companyName(rng, language, index);
    const topics = [rng.pick(topicKeys)];
    if (rng.chance(0.35)) {
      const second = rng.pick(topicKeys);
      if (second !== topics[0]) topics.push(second);
    }
    companies.push({
      index,
      key: named.key,
      name: named.name,
      language,
      domains: [`${named.key}.example`],
      fromChatwoot: false,
      topics,
      attioRecordId: uuid(NS.companyAttio, index),
      linearCustomerId: rng.chance(0.4) ? uuid(NS.companyLinear, index) : null,
      createdAt: historyEnd - rng.int(5, 360) * DAY - rng.int(0, DAY - 1),
    });
  }
  return companies;
}

function companyName(rng: Rng, language: Language, index: number): { name: string; key: string } {
  if (language === 'ru') {
    const parts = COMPANY_PARTS.ru;
    const kind = rng.pick(parts.kinds);
    const word = rng.pick(parts.words);
    // Names repeat across cities, as they do in life; the domain keeps them apart.
    return {
      name: `${kind.name} «${word.name}» (${rng.pick(parts.cities)})`,
      key: `${word.latin}-${kind.latin}-${index}`,
    };
  }
  const parts = COMPANY_PARTS.en;
  const word = rng.pick(parts.words);
  const kind = rng.pick(parts.kinds);
  return {
    name: `${word} ${kind.name} (${rng.pick(parts.cities)})`,
    key: `${word.toLowerCase().replace(/[^a-z]/g, '')}-${kind.latin}-${index}`,
  };
}

/** A skewed choice: a few clients have many people, most have a handful. */
function pickCompanyIndex(rng: Rng, count: number): number {
  const u = rng.next();
  return Math.min(count - 1, Math.floor(u * u * count));
}

const PHONE_STYLES: readonly PhoneStyle[] = ['national', 'international', 'compact'];

function crmPhone(rng: Rng, e164: string): StudioPhone {
  const phone = phoneOf(e164);
  return { ...phone, original: formatPhone(phone, rng.pick(PHONE_STYLES)) };
}

/** `Anna.Petrova@Kofeinya-Zerno.example`: what a person types is not what a linker compares. */
function capitalised(address: string): string {
  return address
    .split(/([.@-])/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function crmEmail(rng: Rng, address: string, traps: PersonTrap[]): StudioEmail {
  const original = rng.chance(0.2) ? capitalised(address) : address;
  if (original !== address) traps.push('mixed_case_email');
  return { address, original };
}

function personalMail(rng: Rng, local: string, language: Language): string {
  return `${local}${rng.int(10, 99)}@${rng.pick(PERSONAL_MAIL[language])}`;
}

function localPart(firstName: string, lastName: string): string {
  return translit(`${firstName}.${lastName}`).replace(/[^a-z.]/g, '');
}

function personFromContact(
  contact: ChatwootClientContact,
  companies: Map<string, StudioCompany>,
  rng: Rng,
  uuid: (ns: number, index: number) => string,
  index: number,
): Omit<StudioPerson, 'index' | 'key'> {
  const company =
    contact.companySlug === null ? null : (companies.get(contact.companySlug) ?? null);
  const reachable = contact.email !== null || contact.phoneNumber !== null;
  // Most reachable clients are in the CRM; imported ones (no company) about half the time.
  const inCrm = reachable && rng.chance(company ? 0.9 : 0.5);
  const traps: PersonTrap[] = [];
  const emails: StudioEmail[] = [];
  const phones: StudioPhone[] = [];
  if (inCrm) {
    if (contact.email !== null) {
      emails.push(crmEmail(rng, contact.email, traps));
      if (contact.email.endsWith('@mail.example')) traps.push('free_mail');
    } else {
      // Known to Chatwoot by phone only: the CRM has their private address, which names no employer.
      const { firstName, lastName } = splitName(contact.name);
      const address = personalMail(rng, localPart(firstName, lastName), contact.language);
      emails.push({ address, original: address });
      traps.push('free_mail', 'phone_only_match');
    }
    if (contact.phoneNumber !== null) {
      phones.push(crmPhone(rng, contact.phoneNumber));
      traps.push('phone_format');
    }
  }
  return {
    ...splitName(contact.name),
    name: contact.name,
    language: contact.language,
    companyKey: company?.key ?? null,
    emails,
    phones,
    chatwootContactIds: [contact.id],
    chatwootEmail: contact.email,
    chatwootPhone: contact.phoneNumber,
    attioRecordId: inCrm ? uuid(NS.personAttio, index) : null,
    createdAt: contact.createdAt + rng.int(1, 30) * DAY,
    traps,
  };
}

function randomPhone(rng: Rng, language: Language): string {
  return language === 'ru'
    ? `+79${rng.int(100_000_000, 999_999_999)}`
    : `+447${rng.int(100_000_000, 999_999_999)}`;
}

function generatedName(
  rng: Rng,
  language: Language,
): { first: string; last: string; local: string } {
  if (language === 'ru') {
    const female = rng.chance(0.5);
    const first = rng.pick(female ? FIRST_NAMES.ru.female : FIRST_NAMES.ru.male);
    const surname = rng.pick(RU_SURNAMES);
    return { first, last: female ? `${surname}а` : surname, local: localPart(first, surname) };
  }
  const first = rng.pick(FIRST_NAMES.en);
  const last = rng.pick(EN_SURNAMES);
  return { first, last, local: localPart(first, last) };
}

function uniqueAddress(local: string, domain: string, taken: Set<string>): string {
  let address = `${local}@${domain}`;
  for (let n = 2; taken.has(address); n++) address = `${local}${n}@${domain}`;
  return address;
}

function generatedPerson(
  rng: Rng,
  company: StudioCompany,
  historyEnd: number,
  attioRecordId: string,
  taken: Set<string>,
): Omit<StudioPerson, 'index' | 'key'> {
  const language = company.language;
  const { first, last, local } = generatedName(rng, language);
  const traps: PersonTrap[] = [];
  const freeMail = rng.chance(0.05);
  const address = freeMail
    ? personalMail(rng, local, language)
    : uniqueAddress(local, company.domains[0]!, taken);
  if (freeMail) traps.push('free_mail');
  const phones = rng.chance(0.4) ? [crmPhone(rng, randomPhone(rng, language))] : [];
  if (phones.length > 0) traps.push('phone_format');
  return {
    firstName: first,
    lastName: last,
    name: `${first} ${last}`,
    language,
    companyKey: company.key,
    emails: [crmEmail(rng, address, traps)],
    phones,
    chatwootContactIds: [],
    chatwootEmail: null,
    chatwootPhone: null,
    attioRecordId,
    createdAt: Math.min(historyEnd - DAY, company.createdAt + rng.int(0, 200) * DAY),
    traps,
  };
}

/**
 * The people-linking traps every studio carries: a colleague with the same name as a client at the
 * same company (two people, one organisation), and clients of two different companies who both
 * write from gmail.com (the shared domain must not merge the companies).
 */
function addTraps(
  base: number,
  people: StudioPerson[],
  companies: StudioCompany[],
  addPerson: (draft: Omit<StudioPerson, 'index' | 'key'>) => StudioPerson,
  apart: Studio['apart'],
  uuid: (ns: number, index: number) => string,
  taken: Set<string>,
): void {
  const rng = rngFor(base, NS.traps, 0);
  const namesake = people.find(
    (p) =>
      p.attioRecordId !== null &&
      p.companyKey !== null &&
      p.chatwootEmail !== null &&
      p.chatwootContactIds.length === 1,
  );
  if (namesake) {
    const company = companies.find((c) => c.key === namesake.companyKey)!;
    const [local = 'client'] = namesake.chatwootEmail!.split('@');
    const [first = 'x', ...rest] = local.split('.');
    const address = uniqueAddress(
      `${first.charAt(0)}.${rest.join('.')}`,
      company.domains[0]!,
      taken,
    );
    const twin = addPerson({
      firstName: namesake.firstName,
      lastName: namesake.lastName,
      name: namesake.name,
      language: namesake.language,
      companyKey: company.key,
      emails: [{ address, original: address }],
      phones: [crmPhone(rng, randomPhone(rng, namesake.language))],
      chatwootContactIds: [],
      chatwootEmail: null,
      chatwootPhone: null,
      attioRecordId: uuid(NS.personAttio, people.length),
      createdAt: namesake.createdAt + 3 * DAY,
      traps: ['same_name_colleague', 'phone_format'],
    });
    apart.push({
      kind: 'people',
      keys: [namesake.key, twin.key],
      reason: 'same name at the same company, different addresses and phones',
    });
  }
  const withPeople = companies.filter((c) => c.fromChatwoot).slice(0, 2);
  if (withPeople.length === 2) {
    const gmail: string[] = [];
    for (const company of withPeople) {
      const { first, last, local } = generatedName(rng, company.language);
      const address = uniqueAddress(`${local}.${company.index}`, 'gmail.com', taken);
      gmail.push(company.key);
      addPerson({
        firstName: first,
        lastName: last,
        name: `${first} ${last}`,
        language: company.language,
        companyKey: company.key,
        emails: [{ address, original: address }],
        phones: [],
        chatwootContactIds: [],
        chatwootEmail: null,
        chatwootPhone: null,
        attioRecordId: uuid(NS.personAttio, people.length),
        createdAt: company.createdAt + 10 * DAY,
        traps: ['free_mail'],
      });
    }
    apart.push({
      kind: 'organizations',
      keys: [gmail[0]!, gmail[1]!],
      reason: 'people of both write from gmail.com, a free-mail domain',
    });
  }
}
