// Read side of people and organisations: lists by name with keyset pagination (the cursor codec
// the review endpoints use), one person or organisation with its links. Another project's id is
// not found, the same as a missing one (row-level security and the explicit project condition).
import type {
  Organization,
  PeopleLink,
  Person,
  PersonDetail,
  PersonSummary,
} from '@cairn/contract';
import { sql, type Transaction } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError, notFound } from '../../http/errors.js';
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { normalizeEmail } from './link/index.js';
import { readPersonContext } from './person-context.js';

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listPeople(
  database: Database,
  scope: Scope,
  query: { limit: number; email?: string; q?: string; contact_global_id?: string; cursor?: string },
): Promise<{ people: PersonSummary[]; next_cursor: string | null }> {
  const after = decodeCursor<{ n: string; id: string }>(query.cursor, {
    n: 'string',
    id: 'string',
  });
  const email = query.email === undefined ? undefined : normalizeEmail(query.email);
  if (email === null)
    throw new AppError('validation_error', 'email: is not an email address', {
      fields: [{ field: 'email', message: 'is not an email address' }],
    });
  const rows = await database.withScope(scope, async (trx) => {
    const { rows } = await sql<PersonSummary & { sort_name: string }>`
      select p.id, p.name, p.emails, p.phones, p.organization_id,
        lower(coalesce(p.name, '')) as sort_name
      from people p
      where p.project_id = ${scope.projectId}::uuid
        ${email ? sql`and p.emails @> array[${email}]::text[]` : sql``}
        ${
          query.q
            ? sql`and (p.name ilike ${likePattern(query.q)}
                or array_to_string(p.emails, ' ') ilike ${likePattern(query.q)}
                or array_to_string(p.phones, ' ') ilike ${likePattern(query.q)})`
            : sql``
        }
        ${
          query.contact_global_id
            ? sql`and exists (select 1 from person_links l
                where l.project_id = p.project_id and l.person_id = p.id
                  and l.source_kind = 'chatwoot_account' and l.entity = 'contact'
                  and l.external_id = ${query.contact_global_id})`
            : sql``
        }
        ${after ? sql`and (lower(coalesce(p.name, '')), p.id) > (${after.n}, ${after.id}::uuid)` : sql``}
      order by lower(coalesce(p.name, '')), p.id
      limit ${query.limit + 1}`.execute(trx);
    return rows;
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    people: page.map(({ sort_name: _s, ...p }) => p),
    next_cursor:
      rows.length > query.limit && last ? encodeCursor({ n: last.sort_name, id: last.id }) : null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function readPerson(
  trx: Transaction<DB>,
  scope: Scope,
  id: string,
): Promise<Person | null> {
  if (!UUID.test(id)) return null;
  const person = await trx
    .selectFrom('people as p')
    .leftJoin('organizations as o', (join) =>
      join.onRef('o.id', '=', 'p.organization_id').onRef('o.project_id', '=', 'p.project_id'),
    )
    .select(['p.id', 'p.name', 'p.emails', 'p.phones', 'p.organization_id', 'o.name as org_name'])
    .where('p.project_id', '=', scope.projectId)
    .where('p.id', '=', id)
    .executeTakeFirst();
  if (!person) return null;
  const links = await linksOf(trx, scope, 'person_links', 'person_id', id);
  const { org_name, ...rest } = person;
  return {
    ...rest,
    organization: rest.organization_id ? { id: rest.organization_id, name: org_name } : null,
    links,
  };
}

/** One person with what the other sources hold about them (GET /people/:id). */
export async function getPerson(
  database: Database,
  scope: Scope,
  id: string,
): Promise<PersonDetail> {
  const person = await database.withScope(scope, async (trx) => {
    const found = await readPerson(trx, scope, id);
    if (!found) return null;
    return {
      ...found,
      ...(await readPersonContext(trx, scope, found.links, found.organization_id)),
    };
  });
  if (!person) throw notFound('person');
  return person;
}

export async function getOrganization(
  database: Database,
  scope: Scope,
  id: string,
): Promise<Organization> {
  const organization = await database.withScope(scope, async (trx) => {
    const org = await trx
      .selectFrom('organizations')
      .select(['id', 'name', 'domains'])
      .where('project_id', '=', scope.projectId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!org) return null;
    const links = await linksOf(trx, scope, 'organization_links', 'organization_id', id);
    const people = await trx
      .selectFrom('people')
      .select(['id', 'name'])
      .where('project_id', '=', scope.projectId)
      .where('organization_id', '=', id)
      .orderBy(sql`lower(coalesce(name, ''))`)
      .orderBy('id')
      .limit(200)
      .execute();
    return { ...org, links, people };
  });
  if (!organization) throw notFound('organization');
  return organization;
}

/** A person's or an organisation's links, in source order. */
async function linksOf(
  trx: Transaction<DB>,
  scope: Scope,
  table: 'person_links' | 'organization_links',
  owner: 'person_id' | 'organization_id',
  id: string,
): Promise<PeopleLink[]> {
  return (await trx
    .selectFrom(table)
    .select(['id', 'source_kind', 'entity', 'external_id', 'matched_on', 'value'])
    .where('project_id', '=', scope.projectId)
    .where(owner as never, '=', id as never)
    .orderBy('source_kind')
    .orderBy('entity')
    .orderBy('external_id')
    .execute()) as PeopleLink[];
}
