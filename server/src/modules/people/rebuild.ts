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
  links_written: number;
  links_deleted: number;
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
  const counts: RebuildCounts = {
    people_written: 0,
    people_deleted: 0,
    organizations_written: 0,
    organizations_deleted: 0,
    links_written: 0,
    links_deleted: 0,
  };
  const scoped = { project_id: scope.projectId, account_scope_id: scope.accountScopeId };

  // Organisations first: people point at them.
  const storedOrgs = await trx
    .selectFrom('organizations')
    .select(['id', 'name', 'domains'])
    .where('project_id', '=', scope.projectId)
    .execute();
  const storedOrgLinks = await trx
    .selectFrom('organization_links')
    .select([
      'id',
      'organization_id as owner',
      'source_kind',
      'entity',
      'external_id',
      'matched_on',
      'value',
    ])
    .where('project_id', '=', scope.projectId)
    .execute();
  const orgIds = assignIds(linked.organizations, byRef(storedOrgLinks));
  const orgIdOf = new Map(linked.organizations.map((o, i) => [o.key, orgIds[i]!]));
  const orgRows = new Map(storedOrgs.map((o) => [o.id, o]));
  const newOrgs = linked.organizations
    .map((o, i) => ({ o, id: orgIds[i]! }))
    .filter(({ id }) => !orgRows.has(id));
  if (newOrgs.length > 0)
    await trx
      .insertInto('organizations')
      .values(newOrgs.map(({ o, id }) => ({ ...scoped, id, name: o.name, domains: o.domains })))
      .execute();
  for (const [i, o] of linked.organizations.entries()) {
    const row = orgRows.get(orgIds[i]!);
    if (row && (row.name !== o.name || !sameList(row.domains, o.domains))) {
      counts.organizations_written++;
      await trx
        .updateTable('organizations')
        .set({ name: o.name, domains: o.domains })
        .where('id', '=', row.id)
        .execute();
    }
  }
  counts.organizations_written += newOrgs.length;
  const orgLinks = await writeLinks(
    trx,
    'organization_links',
    'organization_id',
    linked.organizations.flatMap((o, i) => o.links.map((l) => ({ link: l, owner: orgIds[i]! }))),
    storedOrgLinks,
    scoped,
  );
  counts.links_written += orgLinks.written;
  counts.links_deleted += orgLinks.deleted;

  // People.
  const storedPeople = await trx
    .selectFrom('people')
    .select(['id', 'name', 'emails', 'phones', 'organization_id'])
    .where('project_id', '=', scope.projectId)
    .execute();
  const storedPersonLinks = await trx
    .selectFrom('person_links')
    .select([
      'id',
      'person_id as owner',
      'source_kind',
      'entity',
      'external_id',
      'matched_on',
      'value',
    ])
    .where('project_id', '=', scope.projectId)
    .execute();
  const personIds = assignIds(linked.people, byRef(storedPersonLinks));
  const personRows = new Map(storedPeople.map((p) => [p.id, p]));
  const desired = linked.people.map((p, i) => ({
    id: personIds[i]!,
    name: p.name,
    emails: p.emails,
    phones: p.phones,
    organization_id: p.organization_key ? orgIdOf.get(p.organization_key)! : null,
  }));
  const newPeople = desired.filter((p) => !personRows.has(p.id));
  if (newPeople.length > 0)
    await trx
      .insertInto('people')
      .values(newPeople.map((p) => ({ ...scoped, ...p })))
      .execute();
  for (const p of desired) {
    const row = personRows.get(p.id);
    if (
      row &&
      (row.name !== p.name ||
        row.organization_id !== p.organization_id ||
        !sameList(row.emails, p.emails) ||
        !sameList(row.phones, p.phones))
    ) {
      counts.people_written++;
      await trx
        .updateTable('people')
        .set({
          name: p.name,
          emails: p.emails,
          phones: p.phones,
          organization_id: p.organization_id,
        })
        .where('id', '=', p.id)
        .execute();
    }
  }
  counts.people_written += newPeople.length;
  const personLinks = await writeLinks(
    trx,
    'person_links',
    'person_id',
    linked.people.flatMap((p, i) => p.links.map((l) => ({ link: l, owner: personIds[i]! }))),
    storedPersonLinks,
    scoped,
  );
  counts.links_written += personLinks.written;
  counts.links_deleted += personLinks.deleted;

  // What no group kept is gone (its links moved or vanished above).
  const keptPeople = new Set(personIds);
  const stalePeople = storedPeople.filter((p) => !keptPeople.has(p.id)).map((p) => p.id);
  if (stalePeople.length > 0)
    await trx.deleteFrom('people').where('id', 'in', stalePeople).execute();
  counts.people_deleted = stalePeople.length;
  const keptOrgs = new Set(orgIds);
  const staleOrgs = storedOrgs.filter((o) => !keptOrgs.has(o.id)).map((o) => o.id);
  if (staleOrgs.length > 0)
    await trx.deleteFrom('organizations').where('id', 'in', staleOrgs).execute();
  counts.organizations_deleted = staleOrgs.length;
  return counts;
}

function byRef(
  rows: readonly (StoredLink & { source_kind: string; entity: string; external_id: string })[],
): Map<string, StoredLink> {
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
  storedRows: readonly (StoredLink & {
    source_kind: string;
    entity: string;
    external_id: string;
  })[],
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
