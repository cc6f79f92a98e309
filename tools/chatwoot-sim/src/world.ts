// The static part of one account: inboxes, agents, teams, contacts, conversation skeletons and the
// message timeline. Message bodies are not stored here; see conversation-messages.ts.
import {
  CITIES,
  EN_COMPANIES,
  EN_FIRST,
  EN_LAST,
  HAIKU_ADJECTIVES,
  HAIKU_NOUNS,
  RU_COMPANIES,
  RU_FIRST,
  RU_LAST,
  RU_TRANSLIT,
  TOPICS,
  type Language,
} from './corpus.js';
import { mix, rngFor, unit, type Rng } from './random.js';
import type { ResolvedSize } from './sizes.js';

export type ChannelType =
  | 'Channel::WebWidget'
  | 'Channel::Telegram'
  | 'Channel::Email'
  | 'Channel::Whatsapp'
  | 'Channel::Api'
  | 'Channel::Instagram';

export type ConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';
export const CONVERSATION_STATUSES: readonly ConversationStatus[] = [
  'open',
  'resolved',
  'pending',
  'snoozed',
];
export type Priority = null | 'low' | 'medium' | 'high' | 'urgent';

export interface Inbox {
  id: number;
  name: string;
  channelType: ChannelType;
  channelId: number;
  provider: string | null;
}

export interface Agent {
  id: number;
  name: string;
  email: string;
  role: 'agent' | 'administrator';
  availabilityStatus: 'online' | 'busy' | 'offline';
  thumbnail: string;
}

export interface Team {
  id: number;
  name: string;
  description: string;
  allowAutoAssign: boolean;
  memberIds: number[];
}

export interface ContactInbox {
  id: number;
  inboxId: number;
  sourceId: string;
  createdAt: number;
  pubsubToken: string;
}

export interface Contact {
  id: number;
  name: string;
  email: string | null;
  phoneNumber: string | null;
  identifier: string | null;
  additionalAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  availabilityStatus: 'online' | 'offline';
  blocked: boolean;
  createdAt: number;
  language: Language;
  contactInboxes: ContactInbox[];
  conversationIndexes: number[];
  /** Set when a control operation touched the contact; otherwise derived from its conversations. */
  lastActivityOverride: number | null;
}

export interface ConversationRecord {
  index: number;
  displayId: number;
  uuid: string;
  inboxId: number;
  contactId: number;
  contactInboxId: number;
  assigneeId: number | null;
  teamId: number | null;
  status: ConversationStatus;
  priority: Priority;
  labels: string[];
  additionalAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  snoozedUntil: string | null;
  language: Language;
  topicIndex: number;
  companyName: string;
  createdAt: number;
  generatedCount: number;
  /** Range of this conversation's bursts in the timeline arrays. */
  firstBurst: number;
  burstCount: number;
  /** Float seconds; null until a change, then the generated value is no longer used. */
  updatedAtOverride: number | null;
  /** Time of the last generated message, kept so sorting never rebuilds a conversation. */
  generatedLastAt: number;
}

/**
 * Messages are laid out in bursts (a client writes, the studio answers). Bursts of every
 * conversation are ordered by time and given consecutive ids, so ids grow in creation order across
 * the whole account, as in Chatwoot, while each conversation is still rebuilt on its own.
 */
export interface Timeline {
  burstStart: Uint32Array;
  burstFirstId: Uint32Array;
  burstSize: Uint16Array;
  maxGapSeconds: number;
  lastGeneratedId: number;
}

export interface World {
  seedHash: number;
  accountIndex: number;
  accountId: number;
  accountName: string;
  host: string;
  tokenUserId: number;
  inboxes: Inbox[];
  agents: Agent[];
  teams: Team[];
  contacts: Contact[];
  conversations: ConversationRecord[];
  timeline: Timeline;
  historyEnd: number;
}

const FIRST_MESSAGE_ID = 1001;
const MAX_CONVERSATIONS = 1 << 21;
const DAY = 86_400;

/** Deterministic gap before the j-th message of a burst; shared by the timeline and materialiser. */
export function gapBefore(world: World, burst: number, position: number): number {
  return (
    1 + Math.floor(unit(mix(world.seedHash, 77, burst, position)) * world.timeline.maxGapSeconds)
  );
}

const STUDIOS = [
  { name: 'Linia Design Studio', host: 'linia-studio.example' },
  { name: 'Studio Forma', host: 'forma-studio.example' },
  { name: 'Kvadrat Brand Lab', host: 'kvadrat.example' },
];

function buildInboxes(world: Pick<World, 'host'>): Inbox[] {
  const bot = world.host.split('.')[0]!.replace(/-/g, '_');
  return [
    { id: 1, name: 'Сайт студии', channelType: 'Channel::WebWidget', channelId: 1, provider: null },
    {
      id: 2,
      name: `Telegram @${bot}_bot`,
      channelType: 'Channel::Telegram',
      channelId: 1,
      provider: null,
    },
    {
      id: 3,
      name: `hello@${world.host}`,
      channelType: 'Channel::Email',
      channelId: 1,
      provider: null,
    },
    {
      id: 4,
      name: 'WhatsApp +7 495 123-45-67',
      channelType: 'Channel::Whatsapp',
      channelId: 1,
      provider: 'whatsapp_cloud',
    },
    { id: 5, name: 'CRM (API)', channelType: 'Channel::Api', channelId: 1, provider: null },
    { id: 6, name: 'Instagram', channelType: 'Channel::Instagram', channelId: 1, provider: null },
  ];
}

function buildAgents(host: string): Agent[] {
  const avatar = (file: string) =>
    `https://chat.${host}/rails/active_storage/representations/redirect/eyJfcmFpbHMiOnsiZGF0YSI6NDEsInB1ciI6ImJsb2JfaWQifX0=--a41c2f0e7b9d3c15e8f6a2b4d0c9e7f1a3b5c7d9/${file}`;
  return [
    {
      id: 1,
      name: 'Игорь Лебедев',
      email: `igor.lebedev@${host}`,
      role: 'administrator',
      availabilityStatus: 'offline',
      thumbnail: '',
    },
    {
      id: 2,
      name: 'Анна Смирнова',
      email: `anna.smirnova@${host}`,
      role: 'administrator',
      availabilityStatus: 'online',
      thumbnail: avatar('anna.jpg'),
    },
    {
      id: 3,
      name: 'Dmitry Volkov',
      email: `dmitry.volkov@${host}`,
      role: 'agent',
      availabilityStatus: 'busy',
      thumbnail: '',
    },
    {
      id: 4,
      name: 'Екатерина Орлова',
      email: `ekaterina.orlova@${host}`,
      role: 'agent',
      availabilityStatus: 'online',
      thumbnail: '',
    },
    {
      id: 5,
      name: 'Mark Jensen',
      email: `mark.jensen@${host}`,
      role: 'agent',
      availabilityStatus: 'offline',
      thumbnail: '',
    },
  ];
}

const TEAMS: Team[] = [
  {
    id: 1,
    name: 'Брендинг',
    description: 'Логотипы, фирменный стиль, упаковка',
    allowAutoAssign: true,
    memberIds: [2, 4],
  },
  { id: 2, name: 'Веб', description: 'Сайты и лендинги', allowAutoAssign: true, memberIds: [3, 5] },
];

interface Person {
  name: string;
  slug: string;
}

function personFor(rng: Rng, language: Language): Person {
  if (language === 'ru') {
    const gender = rng.chance(0.5) ? 'female' : 'male';
    const first = rng.pick(RU_FIRST[gender]);
    const lastIndex = Math.floor(rng.next() * RU_LAST[gender].length);
    const last = RU_LAST[gender][lastIndex]!;
    const lastLatin = RU_LAST.male[lastIndex]!;
    return {
      name: `${first} ${last}`,
      slug: `${RU_TRANSLIT[first] ?? 'client'}.${translitSurname(lastLatin)}`,
    };
  }
  const first = rng.pick(EN_FIRST);
  const last = rng.pick(EN_LAST);
  return {
    name: `${first} ${last}`,
    slug: `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, ''),
  };
}

function translitSurname(male: string): string {
  const table: Record<string, string> = {
    Петров: 'petrov',
    Смирнов: 'smirnov',
    Кузнецов: 'kuznetsov',
    Попов: 'popov',
    Васильев: 'vasiliev',
    Соколов: 'sokolov',
    Морозов: 'morozov',
    Новиков: 'novikov',
    Фёдоров: 'fedorov',
    Волков: 'volkov',
    Лебедев: 'lebedev',
    Козлов: 'kozlov',
  };
  return table[male] ?? 'client';
}

function isoAt(seconds: number, millis = 0): string {
  return new Date(seconds * 1000 + millis).toISOString();
}

const CHANNEL_WEIGHTS = {
  web: 30,
  telegram: 25,
  email: 20,
  whatsapp: 13,
  api: 6,
  instagram: 6,
} as const;
const INBOX_FOR: Record<keyof typeof CHANNEL_WEIGHTS, number> = {
  web: 1,
  telegram: 2,
  email: 3,
  whatsapp: 4,
  api: 5,
  instagram: 6,
};

interface ContactDraft {
  contact: Contact;
  company: { name: string; slug: string };
}

function newContact(
  rng: Rng,
  id: number,
  inboxId: number,
  createdAt: number,
  nextContactInboxId: () => number,
): ContactDraft {
  const language: Language = rng.chance(0.65) ? 'ru' : 'en';
  const person = personFor(rng, language);
  const company = language === 'ru' ? rng.pick(RU_COMPANIES) : rng.pick(EN_COMPANIES);
  const contact: Contact = {
    id,
    name: person.name,
    email: null,
    phoneNumber: null,
    identifier: null,
    additionalAttributes: {},
    customAttributes: {},
    availabilityStatus: 'offline',
    blocked: false,
    createdAt,
    language,
    contactInboxes: [],
    conversationIndexes: [],
    lastActivityOverride: null,
  };
  const email = `${person.slug}@${company.slug}.example`;
  const phone =
    language === 'ru'
      ? `+79${rng.int(100000000, 999999999)}`
      : `+44${rng.int(7000000000, 7999999999)}`;
  let sourceId: string;
  switch (inboxId) {
    case 1: {
      const place = rng.pick(CITIES);
      contact.additionalAttributes = {
        ...place,
        created_at_ip: `${rng.int(31, 217)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      };
      if (rng.chance(0.55)) {
        contact.email = email;
        if (rng.chance(0.4)) contact.phoneNumber = phone;
        if (rng.chance(0.5)) contact.customAttributes = { lead_source: 'website' };
      } else {
        contact.name = `${rng.pick(HAIKU_ADJECTIVES)}-${rng.pick(HAIKU_NOUNS)}-${rng.int(100, 999)}`;
      }
      sourceId = rng.uuid();
      break;
    }
    case 2: {
      const username = person.slug.replace('.', '_');
      const telegramId = rng.int(100_000_000, 999_999_999);
      contact.additionalAttributes = {
        username,
        language_code: language,
        social_telegram_user_id: telegramId,
        social_telegram_user_name: username,
      };
      sourceId = String(telegramId);
      break;
    }
    case 3:
      contact.email = email;
      if (rng.chance(0.3)) contact.phoneNumber = phone;
      if (rng.chance(0.4)) contact.additionalAttributes = { company_name: company.name };
      sourceId = email;
      break;
    case 4:
      contact.phoneNumber = phone;
      sourceId = phone.slice(1);
      break;
    case 5:
      contact.identifier = `crm-${String(rng.int(1, 999_999)).padStart(6, '0')}`;
      if (rng.chance(0.5)) contact.email = email;
      contact.customAttributes = { contract_signed: rng.chance(0.5) };
      sourceId = rng.uuid();
      break;
    default: {
      const handle = person.slug.replace('.', '_');
      contact.additionalAttributes = { social_profiles: { instagram: handle } };
      sourceId = String(rng.int(10 ** 15, 10 ** 16 - 1));
    }
  }
  contact.contactInboxes.push({
    id: nextContactInboxId(),
    inboxId,
    sourceId,
    createdAt,
    pubsubToken: rng.base58(24),
  });
  return { contact, company };
}

function importedContact(rng: Rng, id: number, createdAt: number): Contact {
  const language: Language = rng.chance(0.7) ? 'ru' : 'en';
  const person = personFor(rng, language);
  return {
    id,
    name: person.name,
    email: rng.chance(0.4) ? `${person.slug}@mail.example` : null,
    phoneNumber: language === 'ru' ? `+79${rng.int(100000000, 999999999)}` : null,
    identifier: `crm-${String(rng.int(1, 999_999)).padStart(6, '0')}`,
    additionalAttributes: {},
    customAttributes: { contract_signed: rng.chance(0.5) },
    availabilityStatus: 'offline',
    blocked: false,
    createdAt,
    language,
    contactInboxes: [],
    conversationIndexes: [],
    lastActivityOverride: null,
  };
}

function conversationAttributes(
  rng: Rng,
  inboxId: number,
  contact: Contact,
  createdAt: number,
  topicIndex: number,
  host: string,
): Record<string, unknown> {
  const topic = TOPICS[topicIndex]!;
  switch (inboxId) {
    case 1:
      return {
        browser: {
          device_name: 'Unknown',
          browser_name: rng.pick(['Chrome', 'Safari', 'Firefox', 'Edge']),
          platform_name: rng.pick(['macOS', 'Windows', 'iOS', 'Android']),
          browser_version: `${rng.int(100, 131)}.0.0.0`,
          platform_version: rng.pick(['10.15.7', '10', '17.5', '14']),
        },
        referer: `https://${host}/services/${topic.key}`,
        initiated_at: { timestamp: new Date(createdAt * 1000).toUTCString() },
        browser_language: contact.language,
      };
    case 2:
      return {
        chat_id: contact.additionalAttributes['social_telegram_user_id'] ?? 0,
        business_connection_id: null,
      };
    case 3:
      return {
        source: 'email',
        auto_reply: false,
        in_reply_to: null,
        initiated_at: { timestamp: isoAt(createdAt, 402) },
        mail_subject:
          contact.language === 'ru'
            ? `Разработка: ${topic.ru.nom}`
            : `${capitalise(topic.en)} design request`,
      };
    default:
      return {};
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Builds one account deterministically from (seed, account index). Work is linear in the number of
 * conversations plus one cheap pass over message positions (no message text).
 */
export function buildWorld(
  seedHash: number,
  accountIndex: number,
  accountId: number,
  size: ResolvedSize,
  historyEnd: number,
): World {
  const studio = STUDIOS[accountIndex % STUDIOS.length]!;
  const host = accountIndex < STUDIOS.length ? studio.host : `studio-${accountIndex}.example`;
  const accountName = accountIndex < STUDIOS.length ? studio.name : `Studio ${accountIndex + 1}`;
  const accountSeed = mix(seedHash, 1000 + accountIndex);
  const count = size.conversations;
  if (count >= MAX_CONVERSATIONS) throw new Error(`at most ${MAX_CONVERSATIONS - 1} conversations`);
  const span = size.historySpanSeconds;
  const epoch = historyEnd - span;

  const world: World = {
    seedHash: accountSeed,
    accountIndex,
    accountId,
    accountName,
    host,
    tokenUserId: 2,
    inboxes: [],
    agents: buildAgents(host),
    teams: TEAMS.map((t) => ({ ...t, memberIds: [...t.memberIds] })),
    contacts: [],
    conversations: [],
    timeline: {
      burstStart: new Uint32Array(0),
      burstFirstId: new Uint32Array(0),
      burstSize: new Uint16Array(0),
      maxGapSeconds: 60,
      lastGeneratedId: FIRST_MESSAGE_ID - 1,
    },
    historyEnd,
  };
  world.inboxes = buildInboxes(world);

  // Message counts per conversation: a skewed seeded share of the total, at least three each.
  const counts = new Uint32Array(count);
  if (size.messagesPerConversation !== null) {
    counts.fill(size.messagesPerConversation);
  } else {
    const weights = new Float64Array(count);
    let totalWeight = 0;
    for (let i = 0; i < count; i++) {
      const u = unit(mix(accountSeed, 2, i));
      weights[i] = 0.25 + u * u * 3;
      totalWeight += weights[i]!;
    }
    for (let i = 0; i < count; i++) {
      counts[i] = Math.max(3, Math.round((weights[i]! / totalWeight) * size.totalMessages));
    }
  }

  let contactInboxSeq = 0;
  const nextContactInboxId = () => ++contactInboxSeq;
  const statusWeights = { open: 35, resolved: 45, pending: 10, snoozed: 10 } as const;
  const priorityWeights = { none: 50, low: 15, medium: 18, high: 12, urgent: 5 } as const;
  const spacing = span / Math.max(1, count);
  let totalBursts = 0;
  const burstCounts = new Uint16Array(count);
  const intendedStart = new Float64Array(count);
  const duration = new Float64Array(count);
  const companies = new Map<number, string>();
  const returning: Contact[] = [];

  for (let i = 0; i < count; i++) {
    const rng = rngFor(accountSeed, 3, i);
    const createdAt = Math.floor(epoch + spacing * (i + rng.next() * 0.5));
    intendedStart[i] = createdAt + 1;

    if (rng.chance(0.04)) {
      world.contacts.push(
        // Imported just before this conversation, so contact ids still grow with created_at.
        importedContact(
          rng,
          world.contacts.length + 1,
          createdAt - 2 - Math.floor(rng.next() * spacing * 0.4),
        ),
      );
    }
    let contact: Contact;
    if (i > 3 && returning.length > 0 && rng.chance(0.25)) {
      // Returning clients are mostly recent ones.
      const window = Math.min(returning.length, 50);
      contact = returning[returning.length - window + Math.floor(rng.next() * window)]!;
    } else {
      const channel = rng.weighted(CHANNEL_WEIGHTS);
      const draft = newContact(
        rng,
        world.contacts.length + 1,
        INBOX_FOR[channel],
        createdAt - 1,
        nextContactInboxId,
      );
      contact = draft.contact;
      companies.set(contact.id, draft.company.name);
      world.contacts.push(contact);
      returning.push(contact);
    }
    contact.conversationIndexes.push(i);
    const contactInbox = contact.contactInboxes[0]!;
    const topicIndex = Math.floor(rng.next() * TOPICS.length);
    const status = rng.weighted(statusWeights);
    const priorityPick = rng.weighted(priorityWeights);
    const assigneeId =
      status === 'pending' || rng.chance(0.2) ? null : rng.pick([2, 2, 3, 4, 5, 1]);
    const team = rng.chance(0.35) ? (TOPICS[topicIndex]!.label === 'website' ? 2 : 1) : null;
    const labels = new Set<string>();
    if (rng.chance(0.7)) labels.add(TOPICS[topicIndex]!.label);
    if (i >= count - 5 || rng.chance(0.15)) labels.add('new-lead');
    if (rng.chance(0.1)) labels.add('invoice');
    if (rng.chance(0.05)) labels.add('vip');

    world.conversations.push({
      index: i,
      displayId: i + 1,
      uuid: rng.uuid(),
      inboxId: contactInbox.inboxId,
      contactId: contact.id,
      contactInboxId: contactInbox.id,
      assigneeId,
      teamId: team,
      status,
      priority: priorityPick === 'none' ? null : priorityPick,
      labels: [...labels].sort(),
      additionalAttributes: conversationAttributes(
        rng,
        contactInbox.inboxId,
        contact,
        createdAt,
        topicIndex,
        host,
      ),
      customAttributes: rng.chance(0.2) ? { budget_rub: rng.int(5, 50) * 10_000 } : {},
      snoozedUntil:
        status === 'snoozed' && rng.chance(0.7)
          ? isoAt(historyEnd + rng.int(1, 14) * DAY, rng.int(0, 999))
          : null,
      language: contact.language,
      topicIndex,
      companyName:
        companies.get(contact.id) ?? (contact.language === 'ru' ? 'ваша компания' : 'your company'),
      createdAt,
      generatedCount: counts[i]!,
      firstBurst: totalBursts,
      burstCount: 0,
      updatedAtOverride: null,
      generatedLastAt: createdAt,
    });

    let remaining = counts[i]!;
    let bursts = 0;
    while (remaining > 0) {
      const sizeOfBurst = Math.min(
        remaining,
        1 + Math.floor(unit(mix(accountSeed, 4, i, bursts)) * 4),
      );
      remaining -= sizeOfBurst;
      bursts++;
    }
    burstCounts[i] = bursts;
    world.conversations[i]!.burstCount = bursts;
    totalBursts += bursts;
    duration[i] = Math.max(
      60,
      Math.min(rng.int(DAY / 2, 25 * DAY), (historyEnd - createdAt) * 0.9),
    );
  }
  ensureEveryStatus(world);
  world.timeline = layOutTimeline(
    world,
    counts,
    burstCounts,
    intendedStart,
    duration,
    totalBursts,
    span,
  );
  return world;
}

/** Small datasets must still show every status, so tests and the demo can rely on them. */
function ensureEveryStatus(world: World): void {
  const present = new Set(world.conversations.map((c) => c.status));
  let cursor = world.conversations.length - 1;
  for (const status of CONVERSATION_STATUSES) {
    if (present.has(status) || cursor < 0) continue;
    const conversation = world.conversations[cursor--]!;
    conversation.status = status;
    if (status === 'pending') conversation.assigneeId = null;
    if (status !== 'snoozed') conversation.snoozedUntil = null;
  }
}

function layOutTimeline(
  world: World,
  counts: Uint32Array,
  burstCounts: Uint16Array,
  intendedStart: Float64Array,
  duration: Float64Array,
  totalBursts: number,
  span: number,
): Timeline {
  const seed = world.seedHash;
  const burstSize = new Uint16Array(totalBursts);
  const keys = new Float64Array(totalBursts);
  const scale = 2 ** 21;
  let cursor = 0;
  for (let i = 0; i < counts.length; i++) {
    let remaining = counts[i]!;
    const bursts = burstCounts[i]!;
    for (let b = 0; b < bursts; b++) {
      const size = Math.min(remaining, 1 + Math.floor(unit(mix(seed, 4, i, b)) * 4));
      remaining -= size;
      burstSize[cursor] = size;
      const at = intendedStart[i]! + (bursts > 1 ? (duration[i]! * b) / (bursts - 1) : 0);
      keys[cursor] = Math.floor(at) * scale + i;
      cursor++;
    }
  }
  const order = keys.slice().sort();
  const totalMessages = counts.reduce((sum, n) => sum + n, 0);
  const averageBurst = totalBursts > 0 ? totalMessages / totalBursts : 1;
  // Keep a burst shorter than the average space between bursts, so bursts rarely collide and the
  // timeline does not drift past its end.
  const maxGapSeconds = Math.max(
    3,
    Math.min(600, Math.floor(((span / Math.max(1, totalBursts)) * 0.25) / averageBurst)),
  );
  const timeline: Timeline = {
    burstStart: new Uint32Array(totalBursts),
    burstFirstId: new Uint32Array(totalBursts),
    burstSize,
    maxGapSeconds,
    lastGeneratedId: FIRST_MESSAGE_ID - 1,
  };
  world.timeline = timeline;
  const seen = new Uint16Array(counts.length);
  let nextId = FIRST_MESSAGE_ID;
  let previousEnd = 0;
  for (const key of order) {
    const conversationIndex = key % scale;
    const intended = (key - conversationIndex) / scale;
    const burst = world.conversations[conversationIndex]!.firstBurst + seen[conversationIndex]!++;
    const start = Math.max(intended, previousEnd + 1);
    timeline.burstStart[burst] = start;
    timeline.burstFirstId[burst] = nextId;
    let end = start;
    for (let j = 1; j < burstSize[burst]!; j++) end += gapBefore(world, burst, j);
    previousEnd = end;
    world.conversations[conversationIndex]!.generatedLastAt = end;
    nextId += burstSize[burst]!;
    // Other accounts share Chatwoot's id sequence, so real ids have gaps.
    if ((mix(seed, 5, burst) & 7) === 0) nextId += 1 + (mix(seed, 6, burst) & 3);
  }
  timeline.lastGeneratedId = nextId - 1;
  return timeline;
}

export function findConversation(world: World, displayId: number): ConversationRecord | undefined {
  const record = world.conversations[displayId - 1];
  return record && record.displayId === displayId
    ? record
    : world.conversations.find((c) => c.displayId === displayId);
}

export function findContact(world: World, id: number): Contact | undefined {
  const contact = world.contacts[id - 1];
  return contact && contact.id === id ? contact : world.contacts.find((c) => c.id === id);
}

export function findInbox(world: World, id: number): Inbox | undefined {
  return world.inboxes.find((inbox) => inbox.id === id);
}

export function findAgent(world: World, id: number): Agent | undefined {
  return world.agents.find((agent) => agent.id === id);
}
