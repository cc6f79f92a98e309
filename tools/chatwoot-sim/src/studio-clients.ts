// The studio's clients as this simulator generates them for a seed: the one place the other
// simulators (through @cairn/studio) learn which companies, domains and people Chatwoot holds, so
// the same clients appear in Linear and Attio. It reads the generated world and never changes it:
// what the API serves for a seed stays byte-identical (test/output-stability.test.ts).
import { EN_COMPANIES, RU_COMPANIES, TOPICS, type Language, type Topic } from './corpus.js';
import { hashString } from './random.js';
import { DEFAULT_HISTORY_END } from './sim-core.js';
import { resolveSize, type ExplicitSize, type SizeName } from './sizes.js';
import { buildWorld } from './world.js';

export interface ChatwootClientCompany {
  name: string;
  /** The company part of its people's email addresses: `<slug>.example`. */
  slug: string;
  domain: string;
  language: Language;
}

export interface ChatwootClientContact {
  id: number;
  name: string;
  email: string | null;
  /** E.164, as Chatwoot stores it. */
  phoneNumber: string | null;
  identifier: string | null;
  language: Language;
  /** The client company the contact writes for; null for contacts imported without one. */
  companySlug: string | null;
  /** Unix seconds. */
  createdAt: number;
  /** Keys of the topics its conversations are about, in conversation order, without repeats. */
  topicKeys: string[];
}

export interface ChatwootStudioAgent {
  id: number;
  name: string;
  email: string;
  role: 'agent' | 'administrator';
}

export interface ChatwootStudioClients {
  studio: { name: string; host: string; accountId: number };
  agents: ChatwootStudioAgent[];
  /** Every client company the generator can use, whether or not this seed wrote for it. */
  companies: ChatwootClientCompany[];
  /** Every contact of the first account, listed by the API or not, in id order. */
  contacts: ChatwootClientContact[];
  /** What the studio's conversations are about (logo, website, packaging…), with Russian cases. */
  topics: readonly Topic[];
}

export interface ChatwootClientsOptions {
  seed?: number | string;
  size?: SizeName | ExplicitSize;
  historyEndsAt?: number;
  accountId?: number;
}

/** The first account's studio, client companies and contacts, as `startChatwootSim` would serve them. */
export function chatwootClients(options: ChatwootClientsOptions = {}): ChatwootStudioClients {
  const world = buildWorld(
    hashString(String(options.seed ?? 1)),
    0,
    options.accountId ?? 1,
    resolveSize(options.size),
    options.historyEndsAt ?? DEFAULT_HISTORY_END,
  );
  const companies: ChatwootClientCompany[] = [
    ...RU_COMPANIES.map((c) => ({ ...c, domain: `${c.slug}.example`, language: 'ru' as const })),
    ...EN_COMPANIES.map((c) => ({ ...c, domain: `${c.slug}.example`, language: 'en' as const })),
  ];
  const slugByName = new Map(companies.map((c) => [c.name, c.slug]));
  // A conversation carries the company its contact was generated with; imported contacts carry a
  // placeholder ("your company") that matches no company.
  const companyOf = new Map<number, string>();
  const topicsOf = new Map<number, string[]>();
  for (const conversation of world.conversations) {
    const slug = slugByName.get(conversation.companyName);
    if (slug !== undefined && !companyOf.has(conversation.contactId))
      companyOf.set(conversation.contactId, slug);
    const topics = topicsOf.get(conversation.contactId) ?? [];
    const key = TOPICS[conversation.topicIndex]!.key;
    if (!topics.includes(key)) topics.push(key);
    topicsOf.set(conversation.contactId, topics);
  }
  return {
    studio: { name: world.accountName, host: world.host, accountId: world.accountId },
    agents: world.agents.map((a) => ({ id: a.id, name: a.name, email: a.email, role: a.role })),
    companies,
    contacts: world.contacts.map((contact) => ({
      id: contact.id,
      name: contact.name,
      email: contact.email,
      phoneNumber: contact.phoneNumber,
      identifier: contact.identifier,
      language: contact.language,
      companySlug: companyOf.get(contact.id) ?? null,
      createdAt: contact.createdAt,
      topicKeys: topicsOf.get(contact.id) ?? [],
    })),
    topics: TOPICS,
  };
}
