// What the linker reads from a project's stored source rows. Today that is the Chatwoot
// contacts (the one connector); the Linear and Attio connectors add their people, users,
// companies and customers here. A Chatwoot contact is named by its stored id (cw_contacts.id,
// `cwc:…`), the id the rest of the API (conversations, outbound) uses for it.
import type { Transaction } from 'kysely';
import type { Scope } from '../../db/database.js';
import type { DB, PersonDecisionsTable } from '../../db/schema.js';
import type { ManualDecisions, OrganizationRecord, PersonRecord, RecordRef } from './link/index.js';

export async function readSourceRecords(
  trx: Transaction<DB>,
  scope: Scope,
): Promise<{ people: PersonRecord[]; organizations: OrganizationRecord[] }> {
  const contacts = await trx
    .selectFrom('cw_contacts')
    .select(['id', 'name', 'email', 'phone'])
    .where('project_id', '=', scope.projectId)
    .where('account_scope_id', '=', scope.accountScopeId)
    .execute();
  return {
    people: contacts.map((c) => ({
      source_kind: 'chatwoot_account',
      entity: 'contact',
      external_id: c.id,
      name: c.name,
      emails: c.email ? [c.email] : [],
      phones: c.phone ? [c.phone] : [],
    })),
    organizations: [],
  };
}

/** The columns naming a decision's two records, in the order of the table's unique key. */
export const DECISION_PAIR_COLUMNS = [
  'a_source_kind',
  'a_entity',
  'a_external_id',
  'b_source_kind',
  'b_entity',
  'b_external_id',
] as const;

type DecisionPairRow = Pick<PersonDecisionsTable, (typeof DECISION_PAIR_COLUMNS)[number]>;

export const decisionPair = (r: DecisionPairRow): [RecordRef, RecordRef] => [
  { source_kind: r.a_source_kind, entity: r.a_entity, external_id: r.a_external_id },
  { source_kind: r.b_source_kind, entity: r.b_entity, external_id: r.b_external_id },
];

export async function readDecisions(trx: Transaction<DB>, scope: Scope): Promise<ManualDecisions> {
  const rows = await trx
    .selectFrom('person_decisions')
    .select(['kind', ...DECISION_PAIR_COLUMNS])
    .where('project_id', '=', scope.projectId)
    .execute();
  return {
    merge: rows.filter((r) => r.kind === 'merge').map(decisionPair),
    apart: rows.filter((r) => r.kind === 'apart').map(decisionPair),
  };
}
