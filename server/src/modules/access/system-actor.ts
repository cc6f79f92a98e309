import type { Scope } from '../../db/database.js';

/**
 * A scope that acts as the system: row-level security lets it see its project's rows whoever is a
 * member. It exists for work no signed-in user does — queued jobs on a worker, the scheduler's
 * tick, a Chatwoot webhook (authenticated by its signature) and a one-click unsubscribe link
 * (authenticated by its token) — and for tests and benches that call services directly.
 *
 * Why this is safe: nothing a client sends can produce it. The access guard builds every
 * request's scope itself, always with the signed-in user as actor (http/access.ts), and a scope
 * built without an actor sees no rows at all, so forgetting the actor fails closed. The system
 * actor is only ever this function's result, and a test (server/test/identity/rls-membership.test.ts)
 * fails if a file outside the worker path calls it.
 */
export function systemScope(
  scope: { projectId: string; accountScopeId: string },
  reason: string,
): Scope {
  return {
    projectId: scope.projectId,
    accountScopeId: scope.accountScopeId,
    actor: { kind: 'system', reason },
  };
}
