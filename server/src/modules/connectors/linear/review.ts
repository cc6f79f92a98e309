import type { LinearIssue } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';
import { notFound } from '../../../http/errors.js';

/** One stored Linear issue of the project with its comment count; another project's is a 404. */
export async function getLinearIssue(
  database: Database,
  scope: Scope,
  id: string,
): Promise<LinearIssue> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<{
      id: string;
      identifier: string;
      title: string;
      description: string | null;
      url: string;
      state_type: string;
      priority: number;
      due_date: string | null;
      assignee_id: string | null;
      linear_project_id: string | null;
      archived_at: Date | null;
      source_created_at: Date;
      source_updated_at: Date;
      comment_count: number;
    }>`
      select i.id, i.identifier, i.title, i.description, i.url, i.state_type, i.priority,
        to_char(i.due_date, 'YYYY-MM-DD') as due_date, i.assignee_id, i.linear_project_id,
        i.archived_at, i.source_created_at, i.source_updated_at,
        (select count(*)::integer from lin_comments c
          where ${inScope(scope, 'c')} and c.issue_id = i.id) as comment_count
      from lin_issues i where ${inScope(scope, 'i')} and i.id = ${id}`.execute(trx);
    const row = rows[0];
    if (!row) throw notFound('issue');
    return {
      ...row,
      archived_at: row.archived_at?.toISOString() ?? null,
      source_created_at: row.source_created_at.toISOString(),
      source_updated_at: row.source_updated_at.toISOString(),
    };
  });
}
