// The generated Attio workspace of the studio: the standard people, companies and deals objects
// with their attributes, workspace members (the staff), records whose values keep history (a value
// that changed has an old row with active_until set), notes and tasks. Note and task text is
// rebuilt from (seed, index) when read unless a control operation replaced it.
import { mix, rngFor, type Language, type Studio } from '@cairn/studio';
import { CITIES, dealName, JOB_TITLES, NOTE_KINDS } from './corpus.js';
import type { ResolvedAttioSize } from './sizes.js';

export type ObjectSlug = 'people' | 'companies' | 'deals';
export const OBJECT_SLUGS: readonly ObjectSlug[] = ['people', 'companies', 'deals'];

export type AttributeType =
  | 'text'
  | 'personal-name'
  | 'email-address'
  | 'phone-number'
  | 'domain'
  | 'record-reference'
  | 'location'
  | 'timestamp'
  | 'actor-reference'
  | 'status'
  | 'currency';

export interface AttributeDef {
  slug: string;
  type: AttributeType;
  id: string;
  /** Computed from other records (a company's team); never stored. */
  derived?: boolean;
}

export interface ObjectDef {
  slug: ObjectSlug;
  id: string;
  singular: string;
  plural: string;
  /** The path segment of a record's web_url. */
  urlSegment: string;
  createdAt: number;
  attributes: AttributeDef[];
}

export interface Actor {
  type: 'workspace-member' | 'system' | 'api-token' | 'app';
  id: string | null;
}

/** One value of an attribute: its type fields, and when and by whom it was made active. */
export interface ValueRow {
  fields: Record<string, unknown>;
  activeFrom: number;
  activeUntil: number | null;
  actor: Actor;
}

export interface RecordEntry {
  index: number;
  object: ObjectSlug;
  id: string;
  createdAt: number;
  createdBy: Actor;
  /** Stored attributes by slug, history included. */
  values: Map<string, ValueRow[]>;
  deleted: boolean;
  /** The studio company or person this record is, for text and links (-1 when added later). */
  studioIndex: number;
  language: Language;
}

export interface MemberRecord {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  accessLevel: 'admin' | 'member' | 'suspended';
  createdAt: number;
}

export interface StatusDef {
  id: string;
  title: string;
  celebrationEnabled: boolean;
}

export interface NoteRecord {
  index: number;
  id: string;
  parentObject: ObjectSlug;
  parentRecordId: string;
  companyIndex: number;
  /** The studio person the note is about (a person parent), or -1. */
  contactIndex: number;
  language: Language;
  topicKey: string;
  kindIndex: number;
  authorIndex: number;
  createdAt: number;
  titleOverride: string | null;
  markdownOverride: string | null;
  deleted: boolean;
}

export interface TaskRecord {
  index: number;
  id: string;
  companyIndex: number;
  language: Language;
  topicKey: string;
  linked: { object: ObjectSlug; recordId: string }[];
  assigneeIndexes: number[];
  authorIndex: number;
  deadlineAt: number | null;
  isCompleted: boolean;
  createdAt: number;
  textOverride: string | null;
  deleted: boolean;
}

export interface AttioWorld {
  seedHash: number;
  studio: Studio;
  workspace: { id: string; name: string; slug: string; createdAt: number };
  /**
   * Where records' `web_url` points: Attio's web app, or the simulator itself when it was started
   * with `selfLinks` (the demo), so a link in Cairn opens a page that answers.
   */
  webOrigin: string;
  objects: Record<ObjectSlug, ObjectDef>;
  members: MemberRecord[];
  /** The member who created the API token. */
  tokenMemberIndex: number;
  stages: StatusDef[];
  records: Record<ObjectSlug, RecordEntry[]>;
  notes: NoteRecord[];
  tasks: TaskRecord[];
  historyEnd: number;
}

export const ATTIO_NS = {
  workspace: 9_000,
  object: 9_001,
  attribute: 9_002,
  status: 9_003,
  deal: 9_004,
  note: 9_005,
  task: 9_006,
  plan: 9_007,
  noteText: 9_008,
  taskText: 9_009,
  history: 9_010,
} as const;

const DAY = 86_400_000;

const ATTRIBUTES: Record<ObjectSlug, [string, AttributeType, boolean?][]> = {
  people: [
    ['record_id', 'text'],
    ['name', 'personal-name'],
    ['email_addresses', 'email-address'],
    ['phone_numbers', 'phone-number'],
    ['company', 'record-reference'],
    ['job_title', 'text'],
    ['description', 'text'],
    ['primary_location', 'location'],
    ['created_at', 'timestamp'],
    ['created_by', 'actor-reference'],
  ],
  companies: [
    ['record_id', 'text'],
    ['name', 'text'],
    ['domains', 'domain'],
    ['description', 'text'],
    ['team', 'record-reference', true],
    ['primary_location', 'location'],
    ['created_at', 'timestamp'],
    ['created_by', 'actor-reference'],
  ],
  deals: [
    ['record_id', 'text'],
    ['name', 'text'],
    ['stage', 'status'],
    ['owner', 'actor-reference'],
    ['value', 'currency'],
    ['associated_people', 'record-reference'],
    ['associated_company', 'record-reference'],
    ['created_at', 'timestamp'],
    ['created_by', 'actor-reference'],
  ],
};

export const STAGES = [
  { title: 'Lead', celebrationEnabled: false },
  { title: 'In Progress', celebrationEnabled: false },
  { title: 'Won 🎉', celebrationEnabled: true },
  { title: 'Lost', celebrationEnabled: false },
] as const;

/** The registrable part of a domain (the studio's domains have no multi-label suffixes). */
export function rootDomain(domain: string): string {
  return domain.split('.').slice(-2).join('.');
}

export function emailFields(original: string): Record<string, unknown> {
  const address = original.toLowerCase();
  const [local = '', domain = ''] = address.split('@');
  return {
    original_email_address: original,
    email_address: address,
    email_domain: domain,
    email_root_domain: rootDomain(domain),
    email_local_specifier: local.split('+')[0],
    attribute_type: 'email-address',
  };
}

export function locationFields(city: string, countryCode: 'RU' | 'GB'): Record<string, unknown> {
  return {
    line_1: null,
    line_2: null,
    line_3: null,
    line_4: null,
    locality: city,
    region: null,
    postcode: null,
    country_code: countryCode,
    latitude: null,
    longitude: null,
    attribute_type: 'location',
  };
}

export function reference(object: ObjectSlug, recordId: string): Record<string, unknown> {
  return { target_object: object, target_record_id: recordId, attribute_type: 'record-reference' };
}

export function memberActor(world: AttioWorld, index: number): Actor {
  return { type: 'workspace-member', id: world.members[index]!.id };
}

function row(fields: Record<string, unknown>, activeFrom: number, actor: Actor): ValueRow {
  return { fields, activeFrom, activeUntil: null, actor };
}

export const ATTIO_WEB_ORIGIN = 'https://app.attio.com';

export function buildAttioWorld(studio: Studio, size: ResolvedAttioSize): AttioWorld {
  const base = mix(studio.seedHash, 9_000);
  const uuid = (ns: number, ...keys: number[]) => rngFor(base, ns, ...keys).uuid();
  const historyEnd = studio.historyEnd * 1000;
  const workspaceCreated = historyEnd - 3 * 365 * DAY;

  let attributeIndex = 0;
  const objects = {} as Record<ObjectSlug, ObjectDef>;
  OBJECT_SLUGS.forEach((slug, index) => {
    objects[slug] = {
      slug,
      id: uuid(ATTIO_NS.object, index),
      singular: { people: 'Person', companies: 'Company', deals: 'Deal' }[slug],
      plural: { people: 'People', companies: 'Companies', deals: 'Deals' }[slug],
      urlSegment: { people: 'person', companies: 'company', deals: 'deals' }[slug],
      createdAt: workspaceCreated,
      attributes: ATTRIBUTES[slug].map(([attribute, type, derived]) => ({
        slug: attribute,
        type,
        id: uuid(ATTIO_NS.attribute, attributeIndex++),
        ...(derived && { derived }),
      })),
    };
  });

  const members: MemberRecord[] = studio.staff.map((member) => ({
    id: member.attioWorkspaceMemberId,
    firstName: member.firstName,
    lastName: member.lastName,
    email: member.email,
    accessLevel: !member.active ? 'suspended' : member.role === 'admin' ? 'admin' : 'member',
    createdAt: member.createdAt * 1000,
  }));
  const active = members.flatMap((m, i) => (m.accessLevel === 'suspended' ? [] : [i]));

  const world: AttioWorld = {
    seedHash: base,
    studio,
    workspace: {
      id: uuid(ATTIO_NS.workspace, 0),
      name: studio.name,
      slug: studio.slug,
      createdAt: workspaceCreated,
    },
    webOrigin: ATTIO_WEB_ORIGIN,
    objects,
    members,
    tokenMemberIndex: Math.max(
      0,
      studio.staff.findIndex((m) => m.email.startsWith('anna.smirnova@')),
    ),
    stages: STAGES.map((stage, index) => ({ id: uuid(ATTIO_NS.status, index), ...stage })),
    records: { people: [], companies: [], deals: [] },
    notes: [],
    tasks: [],
    historyEnd,
  };

  for (const company of studio.companies) {
    const rng = rngFor(base, ATTIO_NS.history, 1, company.index);
    const createdAt = company.createdAt * 1000;
    const by = memberActor(world, rng.pick(active));
    const values = new Map<string, ValueRow[]>([
      ['name', [row({ value: company.name, attribute_type: 'text' }, createdAt, by)]],
      [
        'domains',
        company.domains.map((domain) =>
          row({ domain, root_domain: rootDomain(domain), attribute_type: 'domain' }, createdAt, {
            type: 'system',
            id: null,
          }),
        ),
      ],
    ]);
    if (rng.chance(0.6))
      values.set('primary_location', [
        row(
          locationFields(
            rng.pick(CITIES[company.language]),
            company.language === 'ru' ? 'RU' : 'GB',
          ),
          createdAt,
          by,
        ),
      ]);
    world.records.companies.push({
      index: world.records.companies.length,
      object: 'companies',
      id: company.attioRecordId,
      createdAt,
      createdBy: by,
      values,
      deleted: false,
      studioIndex: company.index,
      language: company.language,
    });
  }

  const companyRecord = new Map(studio.companies.map((c) => [c.key, c.attioRecordId]));
  for (const person of studio.people) {
    if (person.attioRecordId === null) continue;
    const rng = rngFor(base, ATTIO_NS.history, 2, person.index);
    const createdAt = person.createdAt * 1000;
    const by = memberActor(world, rng.pick(active));
    const values = new Map<string, ValueRow[]>([
      [
        'name',
        [
          row(
            {
              first_name: person.firstName,
              last_name: person.lastName,
              full_name: person.name,
              attribute_type: 'personal-name',
            },
            createdAt,
            by,
          ),
        ],
      ],
      ['email_addresses', person.emails.map((e) => row(emailFields(e.original), createdAt, by))],
      [
        'phone_numbers',
        person.phones.map((p) =>
          row(
            {
              original_phone_number: p.original,
              country_code: p.countryCode,
              phone_number: p.e164,
              attribute_type: 'phone-number',
            },
            createdAt,
            by,
          ),
        ),
      ],
    ]);
    const company = person.companyKey ? companyRecord.get(person.companyKey) : undefined;
    if (company) values.set('company', [row(reference('companies', company), createdAt, by)]);
    if (rng.chance(0.7)) {
      const titles = JOB_TITLES[person.language];
      const title = row({ value: rng.pick(titles), attribute_type: 'text' }, createdAt, by);
      // Some people changed role: the old title stays as history, the new one is active.
      if (rng.chance(0.15)) {
        const changed = Math.min(historyEnd - DAY, createdAt + rng.int(20, 200) * DAY);
        title.activeUntil = changed;
        const current = rng.pick(titles.filter((t) => t !== title.fields['value']));
        values.set('job_title', [
          title,
          row({ value: current, attribute_type: 'text' }, changed, by),
        ]);
      } else values.set('job_title', [title]);
    }
    world.records.people.push({
      index: world.records.people.length,
      object: 'people',
      id: person.attioRecordId,
      createdAt,
      createdBy: by,
      values,
      deleted: false,
      studioIndex: person.index,
      language: person.language,
    });
  }

  buildDeals(world, base, uuid, active);
  buildNotes(world, size.notes, base, uuid, active);
  buildTasks(world, size.tasks, base, uuid, active);
  return world;
}

function peopleByCompany(world: AttioWorld): Map<string, RecordEntry[]> {
  const byCompany = new Map<string, RecordEntry[]>();
  for (const person of world.records.people) {
    const company = person.values.get('company')?.find((r) => r.activeUntil === null);
    const id = company?.fields['target_record_id'] as string | undefined;
    if (!id) continue;
    byCompany.set(id, [...(byCompany.get(id) ?? []), person]);
  }
  return byCompany;
}

function buildDeals(
  world: AttioWorld,
  base: number,
  uuid: (ns: number, ...keys: number[]) => string,
  active: number[],
): void {
  const people = peopleByCompany(world);
  for (const companyRecord of world.records.companies) {
    const company = world.studio.companies[companyRecord.studioIndex]!;
    for (const [t, topicKey] of company.topics.entries()) {
      const rng = rngFor(base, ATTIO_NS.plan, companyRecord.index, t);
      if (t > 0 && !rng.chance(0.5)) continue;
      const index = world.records.deals.length;
      const topic = world.studio.topics.find((x) => x.key === topicKey)!;
      const createdAt = Math.min(
        world.historyEnd - DAY,
        companyRecord.createdAt + rng.int(1, 30) * DAY,
      );
      const owner = rng.pick(active);
      const by = memberActor(world, owner);
      // A deal moves Lead → In Progress → Won or Lost; earlier stages stay as history.
      const finalStage = rng.weighted({ 0: 20, 1: 35, 2: 35, 3: 10 } as Record<string, number>);
      const stages: ValueRow[] = [];
      let at = createdAt;
      const path = finalStage === '3' ? [0, 1, 3] : [0, 1, 2].slice(0, Number(finalStage) + 1);
      for (const stage of path) {
        const previous = stages[stages.length - 1];
        if (previous) previous.activeUntil = at;
        stages.push(row({ status: stage, attribute_type: 'status' }, at, by));
        at = Math.min(world.historyEnd - 1_000, at + rng.int(3, 40) * DAY);
      }
      const contacts = (people.get(companyRecord.id) ?? []).slice(0, rng.int(1, 2));
      world.records.deals.push({
        index,
        object: 'deals',
        id: uuid(ATTIO_NS.deal, index),
        createdAt,
        createdBy: by,
        values: new Map<string, ValueRow[]>([
          [
            'name',
            [
              row(
                { value: dealName(topic, company.name, company.language), attribute_type: 'text' },
                createdAt,
                by,
              ),
            ],
          ],
          ['stage', stages],
          [
            'owner',
            [
              row(
                {
                  referenced_actor_type: 'workspace-member',
                  referenced_actor_id: world.members[owner]!.id,
                  attribute_type: 'actor-reference',
                },
                createdAt,
                by,
              ),
            ],
          ],
          [
            'value',
            [
              row(
                {
                  currency_value: rng.int(8, 120) * 100,
                  currency_code: company.language === 'ru' ? 'EUR' : 'GBP',
                  attribute_type: 'currency',
                },
                createdAt,
                by,
              ),
            ],
          ],
          ['associated_people', contacts.map((p) => row(reference('people', p.id), createdAt, by))],
          ['associated_company', [row(reference('companies', companyRecord.id), createdAt, by)]],
        ]),
        deleted: false,
        studioIndex: company.index,
        language: company.language,
      });
    }
  }
}

function buildNotes(
  world: AttioWorld,
  count: number,
  base: number,
  uuid: (ns: number, ...keys: number[]) => string,
  active: number[],
): void {
  const { companies, people, deals } = world.records;
  if (companies.length === 0) return;
  const span = 300 * DAY;
  const companyIndexByKey = new Map(world.studio.companies.map((c) => [c.key, c.index]));
  for (let i = 0; i < count; i++) {
    const rng = rngFor(base, ATTIO_NS.note, i);
    const where = rng.weighted({ companies: 60, people: 25, deals: 15 });
    const pool =
      where === 'people' && people.length
        ? people
        : where === 'deals' && deals.length
          ? deals
          : companies;
    const parent = pool[Math.min(pool.length - 1, Math.floor(rng.next() ** 1.4 * pool.length))]!;
    const companyIndex =
      parent.object === 'people'
        ? (companyIndexByKey.get(world.studio.people[parent.studioIndex]!.companyKey ?? '') ?? 0)
        : parent.studioIndex;
    const company = world.studio.companies[companyIndex]!;
    const createdAt = Math.min(
      world.historyEnd - 60_000,
      Math.max(
        parent.createdAt + 3_600_000,
        world.historyEnd - span + Math.floor((span * (i + rng.next())) / count),
      ),
    );
    world.notes.push({
      index: i,
      id: uuid(ATTIO_NS.note, i),
      parentObject: parent.object,
      parentRecordId: parent.id,
      companyIndex: company.index,
      contactIndex: parent.object === 'people' ? parent.studioIndex : -1,
      language: parent.language,
      topicKey: rng.pick(company.topics),
      kindIndex: rng.int(0, NOTE_KINDS.length - 1),
      authorIndex: rng.pick(active),
      createdAt,
      titleOverride: null,
      markdownOverride: null,
      deleted: false,
    });
  }
  world.notes.sort((a, b) => a.createdAt - b.createdAt);
  world.notes.forEach((note, index) => (note.index = index));
}

function buildTasks(
  world: AttioWorld,
  count: number,
  base: number,
  uuid: (ns: number, ...keys: number[]) => string,
  active: number[],
): void {
  const { companies, people, deals } = world.records;
  if (companies.length === 0) return;
  const span = 200 * DAY;
  const personAt = new Map<string, RecordEntry>();
  for (const p of people) {
    const key = world.studio.people[p.studioIndex]!.companyKey;
    if (key !== null && !personAt.has(key)) personAt.set(key, p);
  }
  const dealOf = new Map<number, RecordEntry>();
  for (const d of deals) if (!dealOf.has(d.studioIndex)) dealOf.set(d.studioIndex, d);
  for (let i = 0; i < count; i++) {
    const rng = rngFor(base, ATTIO_NS.task, i);
    const company =
      companies[Math.min(companies.length - 1, Math.floor(rng.next() ** 1.4 * companies.length))]!;
    const studioCompany = world.studio.companies[company.studioIndex]!;
    const linked: TaskRecord['linked'] = [{ object: 'companies', recordId: company.id }];
    const person = personAt.get(studioCompany.key);
    if (person && rng.chance(0.5)) linked.push({ object: 'people', recordId: person.id });
    const deal = dealOf.get(studioCompany.index);
    if (deal && rng.chance(0.4)) linked.push({ object: 'deals', recordId: deal.id });
    const createdAt = Math.min(
      world.historyEnd - 60_000,
      Math.max(
        company.createdAt + DAY,
        world.historyEnd - span + Math.floor((span * (i + rng.next())) / count),
      ),
    );
    const deadlineAt = rng.chance(0.75) ? createdAt + rng.int(1, 21) * DAY : null;
    world.tasks.push({
      index: i,
      id: uuid(ATTIO_NS.task, i),
      companyIndex: studioCompany.index,
      language: studioCompany.language,
      topicKey: rng.pick(studioCompany.topics),
      linked,
      assigneeIndexes: rng.chance(0.9) ? [rng.pick(active)] : [],
      authorIndex: rng.pick(active),
      deadlineAt,
      isCompleted:
        (deadlineAt ?? createdAt) < world.historyEnd - 7 * DAY ? rng.chance(0.85) : rng.chance(0.1),
      createdAt,
      textOverride: null,
      deleted: false,
    });
  }
  world.tasks.sort((a, b) => a.createdAt - b.createdAt);
  world.tasks.forEach((task, index) => (task.index = index));
}
