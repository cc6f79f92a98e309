import type { AskAnswer, AskFeedback } from '@cairn/contract';
import { sql } from 'kysely';
import type { Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';

/** A row of `ask_answers` (migration 0018) as read back, with the caller's feedback joined. */
export interface AnswerRow {
  id: string;
  question: string;
  filters: AskAnswer['filters'];
  mode: AskAnswer['mode'];
  model: string | null;
  heading: AskAnswer['heading'];
  answer: string;
  sentences: AskAnswer['sentences'];
  evidence: AskAnswer['evidence'];
  sentence_count: number;
  supported_count: number;
  citation_count: number;
  removed_citation_count: number;
  support_rate: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  duration_ms: number;
  created_at: Date;
  feedback_helpful: boolean | null;
  feedback_note: string | null;
  feedback_updated_at: Date | null;
}

/** The stored answer with `userId`'s feedback on it; RLS and the filter keep it to the scope. */
export function selectAnswers(scope: Scope, userId: string | null) {
  return sql<AnswerRow>`
    select a.*, f.helpful as feedback_helpful, f.note as feedback_note,
      f.updated_at as feedback_updated_at
    from ask_answers a
    left join ask_feedback f
      on f.project_id = a.project_id and f.answer_id = a.id and f.user_id = ${userId}::uuid
    where ${inScope(scope, 'a')}`;
}

export function toAnswerDto(row: AnswerRow): AskAnswer {
  const feedback: AskFeedback | null =
    row.feedback_helpful === null
      ? null
      : {
          helpful: row.feedback_helpful,
          note: row.feedback_note,
          updated_at: new Date(row.feedback_updated_at!).toISOString(),
        };
  return {
    id: row.id,
    question: row.question,
    filters: row.filters,
    mode: row.mode,
    model: row.model,
    heading: row.heading,
    answer: row.answer,
    sentences: row.sentences,
    evidence: row.evidence,
    totals: {
      sentences: row.sentence_count,
      supported: row.supported_count,
      unsupported: row.sentence_count - row.supported_count,
      citations: row.citation_count,
      removed_citations: row.removed_citation_count,
      support_rate: row.support_rate === null ? null : Number(row.support_rate.toFixed(4)),
      evidence_count: row.evidence.length,
      usage: {
        prompt_tokens: row.prompt_tokens,
        completion_tokens: row.completion_tokens,
        total_tokens: row.prompt_tokens + row.completion_tokens,
      },
      duration_ms: row.duration_ms,
    },
    feedback,
    created_at: new Date(row.created_at).toISOString(),
  };
}
