import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';

/**
 * The per-project daily token budget (ASK_DAILY_TOKEN_BUDGET), counted in `ask_token_usage` so
 * it holds across every API process. An answer reserves its worst case (prompt estimate plus
 * `max_tokens`) before calling the model, in one conditional upsert: the row lock taken by
 * `on conflict do update` orders concurrent reservations, and the `where` refuses the one that
 * would cross the budget, so two answers can never both spend the last tokens. When the answer
 * ends, however it ends, the reservation is settled to what the provider reported. A process
 * that dies in between leaves its reservation counted: the budget errs on the side of spending
 * less, and the day's row is new tomorrow.
 */
export interface Reservation {
  /** The UTC day the tokens were counted on, so settling touches the same row after midnight. */
  day: string;
  tokens: number;
}

export async function reserveTokens(
  database: Database,
  scope: Scope,
  tokens: number,
  dailyBudget: number,
): Promise<Reservation | null> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<{ day: string }>`
      insert into ask_token_usage (project_id, account_scope_id, day, tokens)
      select ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid,
        (now() at time zone 'utc')::date, ${tokens}::bigint
      where ${tokens}::bigint <= ${dailyBudget}::bigint
      on conflict (project_id, day) do update
        set tokens = ask_token_usage.tokens + excluded.tokens
        where ask_token_usage.tokens + excluded.tokens <= ${dailyBudget}::bigint
      returning day::text as day
    `.execute(trx);
    return rows[0] ? { day: rows[0].day, tokens } : null;
  });
}

/** Replaces a reservation by the tokens actually spent. */
export async function settleTokens(
  database: Database,
  scope: Scope,
  reservation: Reservation,
  spent: number,
): Promise<void> {
  await database.withScope(scope, (trx) =>
    sql`
      update ask_token_usage
      set tokens = greatest(0, tokens - ${reservation.tokens}::bigint + ${spent}::bigint)
      where ${inScope(scope)}
        and day = ${reservation.day}::date
    `.execute(trx),
  );
}
