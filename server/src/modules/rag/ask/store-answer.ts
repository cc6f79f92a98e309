import type { AskAnswer } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';

/**
 * Stores a finished answer in the caller's project. Every kept citation names an item of
 * `answer.evidence`, which was read in this scope (retrieve-evidence.ts); the insert runs under
 * row-level security too, so a row of another project cannot be written even by mistake.
 */
export async function storeAnswer(
  database: Database,
  scope: Scope,
  userId: string | null,
  answer: AskAnswer,
): Promise<void> {
  const t = answer.totals;
  await database.withScope(scope, (trx) =>
    sql`
      insert into ask_answers (id, project_id, account_scope_id, user_id, question, filters, mode,
        model, heading, answer, sentences, evidence, sentence_count, supported_count,
        citation_count, removed_citation_count, support_rate, prompt_tokens, completion_tokens,
        duration_ms, created_at)
      values (${answer.id}::uuid, ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid,
        ${userId}::uuid, ${answer.question}, ${JSON.stringify(answer.filters)}::jsonb,
        ${answer.mode}, ${answer.model}, ${answer.heading === null ? null : JSON.stringify(answer.heading)}::jsonb,
        ${answer.answer}, ${JSON.stringify(answer.sentences)}::jsonb,
        ${JSON.stringify(answer.evidence)}::jsonb, ${t.sentences}, ${t.supported}, ${t.citations},
        ${t.removed_citations}, ${t.support_rate}, ${t.usage.prompt_tokens},
        ${t.usage.completion_tokens}, ${t.duration_ms}, ${answer.created_at}::timestamptz)
    `.execute(trx),
  );
}
