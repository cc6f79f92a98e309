import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { AppError, notFound } from '../../http/errors.js';
import type { HostPolicy } from '../../lib/net/host-policy.js';
import type { Secrets } from '../../lib/secrets.js';
import { ChatwootApiError, ChatwootClient } from '../connectors/chatwoot/client.js';
import { loadChatwootSource } from './service.js';
import { checkInteractively, INTERACTIVE_TIMEOUT_MS } from './workspace-source.js';

const WORDS = {
  service: 'Chatwoot',
  credential: 'API token',
  short: 'token',
  aSource: 'a Chatwoot source',
};

/**
 * `POST /sources/:id/test` for a Chatwoot account: the token's profile must name the bound
 * account. A token of an agent who is not an administrator syncs only their inboxes' conversations,
 * which is said as a warning rather than refused.
 */
export async function testChatwootSource(
  app: {
    database: Database;
    secrets: Secrets;
    hostPolicy: HostPolicy;
    config: Pick<Config, 'CHATWOOT_TIMEOUT_MS'>;
  },
  scope: Scope,
  sourceId: string,
) {
  const source = await loadChatwootSource(app.database, app.secrets, scope);
  if (!source || source.id !== sourceId) throw notFound('source');
  const profile = await checkInteractively(
    app.hostPolicy,
    WORDS,
    { isClientError: (e) => e instanceof ChatwootApiError, refusedStatuses: [401] },
    ({ fetch }) =>
      new ChatwootClient({
        fetch,
        baseUrl: source.baseUrl,
        accountId: source.accountId,
        apiToken: source.apiToken,
        timeoutMs: Math.min(app.config.CHATWOOT_TIMEOUT_MS, INTERACTIVE_TIMEOUT_MS),
        maxRetries: 1,
        concurrency: 1,
      }).profile(),
  );
  const membership = profile.accounts?.find((a) => a.id === source.accountId);
  if (!membership) {
    throw new AppError(
      'upstream_error',
      `the token's user is not a member of Chatwoot account ${source.accountId}`,
    );
  }
  const warnings =
    membership.role && membership.role !== 'administrator'
      ? [
          `the token's user is ${membership.role}, not administrator: only conversations in their inboxes will sync`,
        ]
      : [];
  return {
    reachable: true as const,
    user_id: profile.id,
    account_id: source.accountId,
    account_name: membership.name ?? null,
    role: membership.role ?? null,
    warnings,
  };
}
