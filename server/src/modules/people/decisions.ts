// Merge and split by hand. A decision is stored by record (person_decisions), never by person id,
// and the people are then rebuilt in the same transaction, so the decision holds through every
// later rebuild: merged records stay one person whatever their contact points say, split ones
// never join again. Each is audited in the project's chain.
import type { Person } from '@cairn/contract';
import type { Transaction } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import type { DB, PeopleSourceKind } from '../../db/schema.js';
import { AppError, notFound } from '../../http/errors.js';
import { recordAudit } from '../audit/service.js';
import { refKey, type RecordRef } from './link/index.js';
import { readPerson } from './read.js';
import { DECISION_PAIR_COLUMNS, decisionPair } from './records.js';
import { rebuildInTransaction, type PeopleConfig } from './rebuild.js';

export interface PeopleActor {
  userId: string;
  username: string;
  requestId: string;
}

interface Deps {
  database: Database;
  config: PeopleConfig;
}

type StoredLink = RecordRef & { id: string; person_id: string };

export async function mergePeople(
  deps: Deps,
  scope: Scope,
  actor: PeopleActor,
  ids: readonly string[],
): Promise<Person> {
  return deps.database.withScope(scope, async (trx) => {
    const links = await linksOf(trx, scope, ids);
    const first = ids.map((id) => links.filter((l) => l.person_id === id));
    // Another project's person is as missing as one that never was.
    if (first.some((group) => group.length === 0)) throw notFound('person');
    const all = first.flat();
    // Whatever kept these records apart no longer holds.
    await removeDecisions(trx, scope, 'apart', all, all);
    const anchor = first[0]![0]!;
    await writeDecisions(
      trx,
      scope,
      actor,
      'merge',
      first.slice(1).map((group) => [anchor, group[0]!]),
    );
    await rebuildInTransaction(trx, deps.config, scope);
    const person = await personHolding(trx, scope, anchor);
    await audit(trx, scope, actor, 'people.merge', person.id, {
      merged: ids,
      links: all.map((l) => refKey(l)),
    });
    return person;
  });
}

export async function splitPerson(
  deps: Deps,
  scope: Scope,
  actor: PeopleActor,
  personId: string,
  linkIds: readonly string[],
): Promise<{ person: Person; new_person: Person }> {
  return deps.database.withScope(scope, async (trx) => {
    const links = await linksOf(trx, scope, [personId]);
    if (links.length === 0) throw notFound('person');
    const unknown = linkIds.filter((id) => !links.some((l) => l.id === id));
    if (unknown.length > 0)
      throw new AppError(
        'validation_error',
        `link_ids: ${unknown[0]} is not a link of this person`,
        {
          fields: [{ field: 'link_ids', message: `${unknown[0]} is not a link of this person` }],
        },
      );
    const moved = links.filter((l) => linkIds.includes(l.id));
    const kept = links.filter((l) => !linkIds.includes(l.id));
    if (kept.length === 0)
      throw new AppError('validation_error', 'link_ids: must leave this person at least one link', {
        fields: [{ field: 'link_ids', message: 'must leave this person at least one link' }],
      });
    await removeDecisions(trx, scope, 'merge', moved, kept);
    await writeDecisions(
      trx,
      scope,
      actor,
      'apart',
      moved.flatMap((m) => kept.map((k) => [m, k] as const)),
    );
    // Each side stays whole even where only the other side's records tied it together.
    await writeDecisions(trx, scope, actor, 'merge', [
      ...moved.slice(1).map((m) => [moved[0]!, m] as const),
      ...kept.slice(1).map((k) => [kept[0]!, k] as const),
    ]);
    await rebuildInTransaction(trx, deps.config, scope);
    const person = await personHolding(trx, scope, kept[0]!);
    const newPerson = await personHolding(trx, scope, moved[0]!);
    await audit(trx, scope, actor, 'people.split', personId, {
      person_id: person.id,
      new_person_id: newPerson.id,
      moved: moved.map((l) => refKey(l)),
    });
    return { person, new_person: newPerson };
  });
}

async function linksOf(
  trx: Transaction<DB>,
  scope: Scope,
  personIds: readonly string[],
): Promise<StoredLink[]> {
  return trx
    .selectFrom('person_links')
    .select(['id', 'person_id', 'source_kind', 'entity', 'external_id'])
    .where('project_id', '=', scope.projectId)
    .where('person_id', 'in', personIds)
    .orderBy('source_kind')
    .orderBy('entity')
    .orderBy('external_id')
    .execute();
}

/** A pair is stored once, its smaller record first, so (a, b) and (b, a) are one decision. */
const ordered = (a: RecordRef, b: RecordRef): [RecordRef, RecordRef] =>
  refKey(a) <= refKey(b) ? [a, b] : [b, a];

async function writeDecisions(
  trx: Transaction<DB>,
  scope: Scope,
  actor: PeopleActor,
  kind: 'merge' | 'apart',
  pairs: readonly (readonly [RecordRef, RecordRef])[],
): Promise<void> {
  const rows = pairs.map(([x, y]) => {
    const [a, b] = ordered(x, y);
    return {
      project_id: scope.projectId,
      account_scope_id: scope.accountScopeId,
      kind,
      a_source_kind: a.source_kind as PeopleSourceKind,
      a_entity: a.entity,
      a_external_id: a.external_id,
      b_source_kind: b.source_kind as PeopleSourceKind,
      b_entity: b.entity,
      b_external_id: b.external_id,
      created_by: actor.userId,
    };
  });
  if (rows.length === 0) return;
  await trx
    .insertInto('person_decisions')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['project_id', ...DECISION_PAIR_COLUMNS])
        .doUpdateSet((eb) => ({ kind: eb.ref('excluded.kind'), created_by: actor.userId })),
    )
    .execute();
}

/** Drops decisions of `kind` between any record of `xs` and any of `ys`. */
async function removeDecisions(
  trx: Transaction<DB>,
  scope: Scope,
  kind: 'merge' | 'apart',
  xs: readonly RecordRef[],
  ys: readonly RecordRef[],
): Promise<void> {
  const keys = new Set(xs.flatMap((x) => ys.map((y) => ordered(x, y).map(refKey).join('\n'))));
  const rows = await trx
    .selectFrom('person_decisions')
    .select(['id', ...DECISION_PAIR_COLUMNS])
    .where('project_id', '=', scope.projectId)
    .where('kind', '=', kind)
    .execute();
  const doomed = rows
    .filter((r) => keys.has(decisionPair(r).map(refKey).join('\n')))
    .map((r) => r.id);
  if (doomed.length > 0)
    await trx.deleteFrom('person_decisions').where('id', 'in', doomed).execute();
}

async function personHolding(trx: Transaction<DB>, scope: Scope, link: RecordRef): Promise<Person> {
  const row = await trx
    .selectFrom('person_links')
    .select('person_id')
    .where('project_id', '=', scope.projectId)
    .where('source_kind', '=', link.source_kind)
    .where('entity', '=', link.entity)
    .where('external_id', '=', link.external_id)
    .executeTakeFirstOrThrow();
  return (await readPerson(trx, scope, row.person_id))!;
}

function audit(
  trx: Transaction<DB>,
  scope: Scope,
  actor: PeopleActor,
  action: string,
  personId: string,
  payload: Record<string, unknown>,
) {
  return recordAudit(trx, {
    projectId: scope.projectId,
    accountScopeId: scope.accountScopeId,
    actor: actor.username,
    action,
    entityType: 'person',
    entityId: personId,
    payload,
    requestId: actor.requestId,
  });
}
