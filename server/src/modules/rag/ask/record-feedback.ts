import type { AskFeedback, AskFeedbackBody } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { notFound } from '../../../http/errors.js';
import { inScope } from '../../../db/scoped-sql.js';

/**
 * The caller's opinion of an answer of the project; given again, it replaces the earlier one
 * (unique per answer and person). The row is inserted from a select of the answer in scope, so
 * an answer of another project (hidden by row-level security) or a missing one inserts nothing
 * and answers 404 alike.
 */
export async function recordFeedback(
  database: Database,
  scope: Scope,
  userId: string,
  answerId: string,
  body: AskFeedbackBody,
): Promise<AskFeedback> {
  const row = await database.withScope(scope, async (trx) => {
    const { rows } = await sql<{ helpful: boolean; note: string | null; updated_at: Date }>`
      insert into ask_feedback (project_id, account_scope_id, answer_id, user_id, helpful, note)
      select a.project_id, a.account_scope_id, a.id, ${userId}::uuid, ${body.helpful},
        ${body.note?.trim() || null}
      from ask_answers a
      where ${inScope(scope, 'a')} and a.id = ${answerId}::uuid
      on conflict (answer_id, user_id) do update
        set helpful = excluded.helpful, note = excluded.note
      returning helpful, note, updated_at
    `.execute(trx);
    return rows[0];
  });
  if (!row) throw notFound('answer');
  return {
    helpful: row.helpful,
    note: row.note,
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
