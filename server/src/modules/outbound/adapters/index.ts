import type { Config } from '../../../config.js';
import { createGuardedHttp } from '../../../lib/net/guarded-http.js';
import { createChatwootAdapter } from './chatwoot.js';
import { createEmailAdapter } from './email.js';
import type { DeliveryAdapters } from './types.js';

/** The delivery adapter of each channel, built from configuration. */
export function createAdapters(config: Config): DeliveryAdapters {
  return {
    chatwoot: createChatwootAdapter({
      timeoutMs: config.CHATWOOT_TIMEOUT_MS,
      http: createGuardedHttp({ allowlist: config.SOURCE_HOST_ALLOWLIST }),
    }),
    email: createEmailAdapter({ smtpUrl: config.SMTP_URL, from: config.SMTP_FROM }),
  };
}
