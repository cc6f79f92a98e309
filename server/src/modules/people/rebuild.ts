// Recomputes a project's people and organisations from its source rows and manual decisions, and
// writes only the difference, so running it again with nothing new writes nothing. Ids stay put:
// each computed group keeps the stored id that already holds most of its links. Runs under a
// per-project advisory lock, so a webhook's rebuild and a sync job's never interleave.
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { linkPeople, refKey, type Link } from './link/index.js';
import { readDecisions, readSourceRecords } from './records.js';

export interface RebuildCounts {
  people_written: number;
  people_deleted: number;
  organizations_written: number;
  organizations_deleted: number;
  people_links_written: number;
  people_links_deleted: number;
}

export type PeopleConfig = Pick<Config, 'PEOPLE_DEFAULT_PHONE_REGION'>;

export function rebuildPeople(
  database: Database,
  config: PeopleConfig,
  scope: Scope,
): Promise<RebuildCounts> {
  return database.withScope(scope, (trx) => rebuildInTransaction(trx, config, scope));
}

interface StoredLink {
  id: string;
  owner: string;
  matched_on: string | null;
  value: string | null;
}

export async function rebuildInTransaction(
  trx: Transaction<DB>,
  config: PeopleConfig,
  scope: Scope,
): Promise<RebuildCounts> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`people:${scope.projectId}`}, 0))`.execute(
    trx,
  );
  const records = await readSourceRecords(trx, scope);
  const decisions = await readDecisions(trx, scope);
  const linked = linkPeople(records.people, records.organizations, {
    defaultRegion: config.PEOPLE_DEFAULT_PHONE_REGION,
    decisions,
  });
  // Organisations first: people point at them. A stale organisation deleted here leaves its
  // people's organization_id null (on delete set null) until the people's pass sets it again.
  const orgs = await writeGroups(
    trx,
    scope,
    ORGANIZATIONS,
    linked.organizations.map((o) => ({
      links: o.links,
      values: { name: o.name, domains: o.domains },
    })),
  );
  const orgIdOf = new Map(linked.organizations.map((o, i) => [o.key, orgs.ids[i]!]));
  const people = await writeGroups(
    trx,
    scope,
    PEOPLE,
    linked.people.map((p) => ({
      links: p.links,
      values: {
        name: p.name,
        emails: p.emails,
        phones: p.phones,
        organization_id: p.organization_key ? orgIdOf.get(p.organization_key)! : null,
      },
    })),
  );
  return {
    people_written: people.written,
    people_deleted: people.deleted,
    organizations_written: orgs.written,
    organizations_deleted: orgs.deleted,
    people_links_written: orgs.links_written + people.links_written,
    people_links_deleted: orgs.links_deleted + people.links_deleted,
  };
}

interface GroupTables {
  table: 'organizations' | 'people';
  links: 'organization_links' | 'person_links';
  owner: 'organization_id' | 'person_id';
}
const ORGANIZATIONS: GroupTables = {
  table: 'organizations',
  links: 'organization_links',
  owner: 'organization_id',
};
const PEOPLE: GroupTables = { table: 'people', links: 'person_links', owner: 'person_id' };

type Values = Record<string, string | string[] | null>;

/**
 * Writes one kind of group (people or organisations) and its links: inserts the new, updates the
 * changed, deletes what no group kept. The tables differ only in their value columns, so the
 * queries name them through `tables` (hence the casts: Kysely types one table at a time).
 */
async function writeGroups(
  trx: Transaction<DB>,
  scope: Scope,
  tables: GroupTables,
  groups: { links: Link[]; values: Values }[],
) {
  const scoped = { project_id: scope.projectId, account_scope_id: scope.accountScopeId };
  const columns = Object.keys(groups[0]?.values ?? {});
  const storedRows = (await trx
    .selectFrom(tables.table)
    .select(['id', ...columns] as never)
    .where('project_id', '=', scope.projectId)
    .execute()) as unknown as ({ id: string } & Values)[];
  const storedLinks = (await trx
    .selectFrom(tables.links)
    .select([
      'id',
      `${tables.owner} as owner`,
      'source_kind',
      'entity',
      'external_id',
      'matched_on',
      'value',
    ] as never)
    .where('project_id', '=', scope.projectId)
    .execute()) as unknown as StoredLinkRow[];

  const ids = assignIds(groups, byRef(storedLinks));
  const rows = new Map(storedRows.map((r) => [r.id, r]));
  const fresh = groups.map((g, i) => ({ id: ids[i]!, ...g.values })).filter((g) => !rows.has(g.id));
  if (fresh.length > 0)
    await trx
      .insertInto(tables.table)
      .values(fresh.map((g) => ({ ...scoped, ...g })) as never)
      .execute();
  let written = fresh.length;
  for (const [i, group] of groups.entries()) {
    const row = rows.get(ids[i]!);
    if (row && columns.some((c) => !sameValue(row[c] ?? null, group.values[c] ?? null))) {
      written++;
      await trx
        .updateTable(tables.table)
        .set(group.values as never)
        .where('id', '=', row.id)
        .execute();
    }
  }
  const links = await writeLinks(
    trx,
    tables.links,
    tables.owner,
    groups.flatMap((g, i) => g.links.map((link) => ({ link, owner: ids[i]! }))),
    storedLinks,
    scoped,
  );
  // What no group kept is gone (its links moved or vanished above).
  const kept = new Set(ids);
  const stale = storedRows.filter((r) => !kept.has(r.id)).map((r) => r.id);
  if (stale.length > 0) await trx.deleteFrom(tables.table).where('id', 'in', stale).execute();
  return {
    ids,
    written,
    deleted: stale.length,
    links_written: links.written,
    links_deleted: links.deleted,
  };
}

const sameValue = (a: string | string[] | null, b: string | string[] | null) =>
  Array.isArray(a) && Array.isArray(b) ? sameList(a, b) : a === b;

type StoredLinkRow = StoredLink & { source_kind: string; entity: string; external_id: string };

function byRef(rows: readonly StoredLinkRow[]): Map<string, StoredLink> {
  return new Map(
    rows.map((r) => [
      refKey({
        source_kind: r.source_kind as Link['source_kind'],
        entity: r.entity,
        external_id: r.external_id,
      }),
      r,
    ]),
  );
}

/**
 * Each group keeps the stored id that holds most of its links (ties: the smaller id); an id goes
 * to one group only, in group order; a group with none gets a fresh id.
 */
function assignIds(
  groups: readonly { links: Link[] }[],
  stored: Map<string, StoredLink>,
): string[] {
  const taken = new Set<string>();
  return groups.map((group) => {
    const votes = new Map<string, number>();
    for (const link of group.links) {
      const owner = stored.get(refKey(link))?.owner;
      if (owner) votes.set(owner, (votes.get(owner) ?? 0) + 1);
    }
    const ranked = [...votes.entries()].sort(
      (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
    );
    const id = ranked.map(([id]) => id).find((id) => !taken.has(id)) ?? randomUUID();
    taken.add(id);
    return id;
  });
}

async function writeLinks(
  trx: Transaction<DB>,
  table: 'person_links' | 'organization_links',
  ownerColumn: 'person_id' | 'organization_id',
  desired: { link: Link; owner: string }[],
  storedRows: readonly StoredLinkRow[],
  scoped: { project_id: string; account_scope_id: string },
): Promise<{ written: number; deleted: number }> {
  const stored = byRef(storedRows);
  const wanted = new Set(desired.map(({ link }) => refKey(link)));
  const fresh = desired.filter(({ link }) => !stored.has(refKey(link)));
  const changed = desired.filter(({ link, owner }) => {
    const row = stored.get(refKey(link));
    return (
      row && (row.owner !== owner || row.matched_on !== link.matched_on || row.value !== link.value)
    );
  });
  const stale = storedRows.filter(
    (r) => !wanted.has(refKey({ ...r, source_kind: r.source_kind as Link['source_kind'] })),
  );
  if (stale.length > 0)
    await trx
      .deleteFrom(table)
      .where(
        'id',
        'in',
        stale.map((r) => r.id),
      )
      .execute();
  if (fresh.length > 0)
    await trx
      .insertInto(table)
      .values(
        fresh.map(({ link, owner }) => ({
          ...scoped,
          [ownerColumn]: owner,
          source_kind: link.source_kind,
          entity: link.entity,
          external_id: link.external_id,
          matched_on: link.matched_on,
          value: link.value,
        })) as never,
      )
      .execute();
  for (const { link, owner } of changed)
    await trx
      .updateTable(table)
      .set({ [ownerColumn]: owner, matched_on: link.matched_on, value: link.value } as never)
      .where('id', '=', stored.get(refKey(link))!.id)
      .execute();
  return { written: fresh.length + changed.length, deleted: stale.length };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);
