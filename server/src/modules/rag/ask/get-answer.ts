import type { AskAnswer } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { notFound } from '../../../http/errors.js';
import { selectAnswers, toAnswerDto } from './answers-sql.js';

/** A stored answer of the project, with the caller's feedback; another project's id is a 404. */
export async function getAnswer(
  database: Database,
  scope: Scope,
  userId: string | null,
  id: string,
): Promise<AskAnswer> {
  const row = await database.withScope(scope, async (trx) => {
    const { rows } = await sql`${selectAnswers(scope, userId)} and a.id = ${id}::uuid`.execute(trx);
    return rows[0] as Parameters<typeof toAnswerDto>[0] | undefined;
  });
  if (!row) throw notFound('answer');
  return toAnswerDto(row);
}
