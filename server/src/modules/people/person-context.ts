// What the other sources hold about one person, read from the stored source rows through the
// person's links and their organisation's: their Attio records, the deals that name them or that
// company, its open tasks, and the Linear issues of the organisation (a Linear customer's needs
// name issues and projects, connectors/linear/documents.ts). Ids come from links, so it is one
// read per kind, all within the project (row-level security and the explicit condition).
import type { PersonContext } from '@cairn/contract';
import { sql, type Transaction } from 'kysely';
import type { Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';

const LINEAR_ISSUES_SHOWN = 50;

type Ref = { source_kind: string; entity: string; external_id: string };

export async function readPersonContext(
  trx: Transaction<DB>,
  scope: Scope,
  personLinks: readonly Ref[],
  organizationId: string | null,
): Promise<PersonContext> {
  const project = scope.projectId;
  const orgLinks = organizationId
    ? await trx
        .selectFrom('organization_links')
        .select(['source_kind', 'entity', 'external_id'])
        .where('project_id', '=', project)
        .where('organization_id', '=', organizationId)
        .execute()
    : [];
  const idsOf = (links: readonly Ref[], source: string, entity: string) =>
    links.filter((l) => l.source_kind === source && l.entity === entity).map((l) => l.external_id);
  const personIds = idsOf(personLinks, 'attio_workspace', 'person');
  const companyIds = idsOf(orgLinks, 'attio_workspace', 'company');
  const customerIds = idsOf(orgLinks, 'linear_workspace', 'customer');
  const recordIds = [...personIds, ...companyIds];

  // Attio people and companies share the record columns (db/schema.ts AttioRecordRow).
  const attioRecords = async (table: 'att_people' | 'att_companies', ids: string[]) =>
    ids.length === 0
      ? []
      : await trx
          .selectFrom(table)
          .select(['id', 'name', 'web_url'])
          .where('project_id', '=', project)
          .where('id', 'in', ids)
          .orderBy('id')
          .execute();
  const people = await attioRecords('att_people', personIds);
  const companies = await attioRecords('att_companies', companyIds);
  const deals = recordIds.length
    ? await trx
        .selectFrom('att_deals')
        .select(['id', 'name', 'stage', 'value', 'currency', 'web_url'])
        .where('project_id', '=', project)
        .where(
          sql<boolean>`people_ids && ${personIds}::text[] or company_id = any(${companyIds}::text[])`,
        )
        .orderBy('source_created_at', 'desc')
        .orderBy('id')
        .execute()
    : [];
  const tasks = recordIds.length
    ? await trx
        .selectFrom('att_tasks')
        .select(['id', 'content_plaintext', 'deadline_at'])
        .where('project_id', '=', project)
        .where('is_completed', '=', false)
        .where('linked_record_ids', '&&', sql<string[]>`${recordIds}::text[]`)
        .orderBy(sql`deadline_at asc nulls last`)
        .orderBy('id')
        .execute()
    : [];
  // A need names an issue or a whole project; archived needs no longer tie them.
  const issues = customerIds.length
    ? (
        await sql<{
          id: string;
          identifier: string;
          title: string;
          state_type: string;
          url: string;
          due_date: string | null;
        }>`
          with needs as (
            select n->'issue'->>'id' as issue_id, n->'project'->>'id' as linear_project_id
            from lin_customers c, jsonb_array_elements(coalesce(c.data->'needs', '[]')) n
            where c.project_id = ${project}::uuid and c.id = any(${customerIds}::text[])
              and n->>'archivedAt' is null)
          select i.id, i.identifier, i.title, i.state_type, i.url, i.due_date::text as due_date
          from lin_issues i
          where i.project_id = ${project}::uuid and i.archived_at is null
            and (i.id in (select issue_id from needs where issue_id is not null)
              or i.linear_project_id in
                (select linear_project_id from needs where linear_project_id is not null))
          order by i.source_updated_at desc, i.id
          limit ${LINEAR_ISSUES_SHOWN}`.execute(trx)
      ).rows
    : [];

  return {
    crm_records: [
      ...people.map((p) => ({ ...p, object: 'person' as const })),
      ...companies.map((c) => ({ ...c, object: 'company' as const })),
    ],
    deals: deals.map((d) => ({ ...d, value: d.value === null ? null : Number(d.value) })),
    open_tasks: tasks.map((t) => ({
      id: t.id,
      content: t.content_plaintext,
      deadline_at: t.deadline_at === null ? null : new Date(t.deadline_at).toISOString(),
    })),
    linear_issues: issues,
  };
}
