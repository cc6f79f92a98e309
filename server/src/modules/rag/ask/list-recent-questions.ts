import type { AskRecentItem } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';

/** The caller's latest questions in the project, newest first (index ask_answers_user_recent_idx). */
export async function listRecentQuestions(
  database: Database,
  scope: Scope,
  userId: string,
  limit: number,
): Promise<AskRecentItem[]> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<{
      id: string;
      question: string;
      mode: AskRecentItem['mode'];
      support_rate: number | null;
      created_at: Date;
    }>`
      select a.id, a.question, a.mode, a.support_rate, a.created_at
      from ask_answers a
      where ${inScope(scope, 'a')} and a.user_id = ${userId}::uuid
      order by a.created_at desc, a.id desc
      limit ${limit}
    `.execute(trx);
    return rows.map((r) => ({
      id: r.id,
      question: r.question,
      mode: r.mode,
      support_rate: r.support_rate === null ? null : Number(r.support_rate.toFixed(4)),
      created_at: new Date(r.created_at).toISOString(),
    }));
  });
}
