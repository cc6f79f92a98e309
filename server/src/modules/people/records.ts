// What the linker reads from a project's stored source rows, one read per kind: Chatwoot contacts,
// Linear users (the studio's staff) and customers, Attio people, companies and workspace members
// (staff). Every source table is keyed by project (RLS and the explicit condition); ids are the
// stored ones: a Chatwoot contact is `cwc:…` (cw_contacts.id, what conversations and outbound
// use), a Linear or Attio row its source id. Entity names are what tools/studio's truth uses.
import type { Transaction } from 'kysely';
import type { Scope } from '../../db/database.js';
import type { DB, PersonDecisionsTable } from '../../db/schema.js';
import type { ManualDecisions, OrganizationRecord, PersonRecord, RecordRef } from './link/index.js';

export async function readSourceRecords(
  trx: Transaction<DB>,
  scope: Scope,
): Promise<{ people: PersonRecord[]; organizations: OrganizationRecord[] }> {
  const project = scope.projectId;
  const contacts = await trx
    .selectFrom('cw_contacts')
    .select(['id', 'name', 'email', 'phone'])
    .where('project_id', '=', project)
    .where('account_scope_id', '=', scope.accountScopeId)
    .execute();
  const linearUsers = await trx
    .selectFrom('lin_users')
    .select(['id', 'name', 'email'])
    .where('project_id', '=', project)
    .execute();
  const linearCustomers = await trx
    .selectFrom('lin_customers')
    .select(['id', 'name', 'domains'])
    .where('project_id', '=', project)
    .execute();
  const attioPeople = await trx
    .selectFrom('att_people')
    .select(['id', 'name', 'emails', 'phones', 'company_id'])
    .where('project_id', '=', project)
    .execute();
  const attioCompanies = await trx
    .selectFrom('att_companies')
    .select(['id', 'name', 'domains'])
    .where('project_id', '=', project)
    .execute();
  const attioMembers = await trx
    .selectFrom('att_members')
    .select(['id', 'first_name', 'last_name', 'email'])
    .where('project_id', '=', project)
    .execute();

  // Attio names a person's company; a company out of the binding's scope is not stored, and a
  // reference to it would tie the person to nothing, so it falls back to their email domain.
  const storedCompanies = new Set(attioCompanies.map((c) => c.id));
  const attio = (entity: string, external_id: string): RecordRef => ({
    source_kind: 'attio_workspace',
    entity,
    external_id,
  });
  return {
    people: [
      ...contacts.map((c): PersonRecord => ({
        source_kind: 'chatwoot_account',
        entity: 'contact',
        external_id: c.id,
        name: c.name,
        emails: c.email ? [c.email] : [],
        phones: c.phone ? [c.phone] : [],
      })),
      ...attioPeople.map((p): PersonRecord => ({
        ...attio('person', p.id),
        name: p.name,
        emails: p.emails,
        // Attio stores phone_number in E.164 (connectors/attio/normalize.ts).
        phones: p.phones,
        organization:
          p.company_id && storedCompanies.has(p.company_id) ? attio('company', p.company_id) : null,
      })),
      // The studio's own people: linked by email, never tied to a client company.
      ...attioMembers.map((m): PersonRecord => ({
        ...attio('workspace_member', m.id),
        name: `${m.first_name} ${m.last_name}`.trim() || null,
        emails: [m.email],
        phones: [],
        staff: true,
      })),
      ...linearUsers.map((u): PersonRecord => ({
        source_kind: 'linear_workspace',
        entity: 'user',
        external_id: u.id,
        name: u.name,
        emails: [u.email],
        phones: [],
        staff: true,
      })),
    ],
    organizations: [
      ...attioCompanies.map((c): OrganizationRecord => ({
        ...attio('company', c.id),
        name: c.name,
        domains: c.domains,
      })),
      ...linearCustomers.map((c): OrganizationRecord => ({
        source_kind: 'linear_workspace',
        entity: 'customer',
        external_id: c.id,
        name: c.name,
        domains: c.domains,
      })),
    ],
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
