import type { Config } from '../../../config.js';
import { createGuardedHttp } from '../../../lib/net/guarded-http.js';
import { createChatwootAdapter } from '../../connectors/chatwoot/deliver.js';
import { createEmailAdapter } from './email.js';
import type { DeliveryAdapters } from './types.js';

/**
 * The delivery adapter of each channel, built from configuration: the one place a channel is
 * wired in. A connector that delivers provides its adapter (connectors/chatwoot/deliver.ts);
 * outbound itself imports no connector beyond this registry.
 */
export function createAdapters(config: Config): DeliveryAdapters {
  return {
    chatwoot: createChatwootAdapter({
      timeoutMs: config.CHATWOOT_TIMEOUT_MS,
      http: createGuardedHttp({ allowlist: config.SOURCE_HOST_ALLOWLIST }),
    }),
    email: createEmailAdapter({ smtpUrl: config.SMTP_URL, from: config.SMTP_FROM }),
  };
}
