import { z } from 'zod';
import { trustedProxies } from './http/trusted-proxies.js';
import { parseHostAllowlist } from './lib/net/host-policy.js';

/**
 * The one configuration of the server, validated once at boot. Every variable here is listed in
 * `.env.example` with its default and meaning; a missing or invalid value stops the process with a
 * message naming the variable (see `loadConfig`). Behaviour is chosen by these variables, never by
 * guessing from NODE_ENV.
 */

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const num = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().min(min).max(max).default(fallback);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = optionalString.pipe(z.url().optional());

/** A list checked by `parse` at boot (which throws naming the bad entry), kept as its string. */
const checkedList = (parse: (raw: string) => unknown) =>
  z.string().superRefine((value, ctx) => {
    try {
      parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

export const ConfigSchema = z.object({
  // Database
  DATABASE_URL: optionalUrl,
  DATA_DIR: z.string().min(1).default('./.data'),
  DB_POOL_MAX: int(10, 1, 200),
  DB_APP_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
    .default('cairn_app'),
  EMBEDDED_DB_PORT: int(0, 0, 65535),
  MIGRATE_ON_START: bool(true),

  // HTTP
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(8080, 0, 65535),
  WEB_PORT: int(3000, 0, 65535),
  API_UPSTREAM_URL: z.url().default('http://localhost:8080'),
  NEXT_PUBLIC_API_BASE_URL: z.string().min(1).default('/api'),
  PUBLIC_BASE_URL: optionalUrl,
  CORS_ORIGIN: z.url().default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: int(1_048_576, 1024),
  TRUST_PROXY: checkedList(trustedProxies).default('loopback'),

  // Identity
  SESSION_COOKIE_NAME: z.string().min(1).default('sid'),
  CSRF_COOKIE_NAME: z.string().min(1).default('csrf_token'),
  COOKIE_SECURE: bool(false),
  SESSION_IDLE_MINUTES: int(720, 1),
  SESSION_MAX_DAYS: int(14, 1),
  LOGIN_RATE_LIMIT_MAX_ATTEMPTS: int(10, 1),
  LOGIN_RATE_LIMIT_WINDOW_MINUTES: int(15, 1),
  LOGIN_USERNAME_DELAY_SECONDS: int(5, 1, 3600),
  INVITE_TTL_HOURS: int(72, 1, 24 * 30),
  TOKEN_RATE_LIMIT_PER_MINUTE: int(600, 1),
  // Resolved sessions and tokens kept in memory per API process (modules/access/credential-cache.ts).
  AUTH_CACHE_TTL_SECONDS: int(30, 0, 3600),
  AUTH_CACHE_MAX_ENTRIES: int(10_000, 1),
  // MCP (modules/mcp): the most characters one tool result may carry; longer lists are cut
  // with a note, so an assistant's context is not flooded by one call.
  MCP_MAX_RESULT_CHARS: int(40_000, 1000),
  AUTH_USERNAME: optionalString,
  AUTH_PASSWORD: optionalString,
  SECRETS_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
      .optional(),
  ),

  // Storage
  STORAGE_BUDGET_GB: num(20, 0.001),
  STORAGE_ALERT_THRESHOLD_PCT: num(85, 1, 100),

  // Outbound requests to user-supplied hosts
  SOURCE_HOST_ALLOWLIST: checkedList(parseHostAllowlist).optional(),

  // Chatwoot
  CHATWOOT_BASE_URL: optionalUrl,
  CHATWOOT_API_TOKEN: optionalString,
  CHATWOOT_ACCOUNT_ID: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().positive().optional(),
  ),
  CHATWOOT_CONVERSATIONS_PER_PAGE: int(25, 1, 100),
  CHATWOOT_PAGES_LIMIT: int(1000, 1),
  CHATWOOT_MESSAGES_LIMIT: int(100_000, 1),
  CHATWOOT_LOOKBACK_DAYS: int(7, 0),
  CHATWOOT_TIMEOUT_MS: int(15_000, 100),
  CHATWOOT_MAX_RETRIES: int(5, 0, 20),
  CHATWOOT_CONCURRENCY: int(4, 1, 64),
  LINEAR_LOOKBACK_SECONDS: int(300, 0),
  LINEAR_TIMEOUT_MS: int(20_000, 100),
  LINEAR_MAX_RETRIES: int(5, 0, 20),
  LINEAR_RATE_LIMIT_WAIT_MAX_MS: int(60_000, 0),
  LINEAR_ID_LISTING_HOURS: int(6, 0),
  ATTIO_TIMEOUT_MS: int(20_000, 100),
  ATTIO_MAX_RETRIES: int(5, 0, 20),
  ATTIO_RATE_LIMIT_WAIT_MAX_MS: int(60_000, 0),
  ATTIO_RECORDS_PAGE_SIZE: int(500, 1, 500),
  CHUNK_SIZE: int(1000, 100, 8000),
  MIN_EMBED_CHARS: int(30, 1),
  WEBHOOK_TOLERANCE_SECONDS: int(300, 1),

  // People linking: the country of phone numbers written without a country code.
  PEOPLE_DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as RU or GB')
    .default('RU'),

  // Embeddings and search
  EMBEDDING_PROVIDER: z.enum(['local', 'openai']).optional(),
  EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  EMBEDDING_DIM: int(1536, 8, 2000),
  EMBED_BATCH_SIZE: int(100, 1, 2048),
  EMBED_MAX_ATTEMPTS: int(5, 1),
  EMBED_STALE_RECOVERY_MINUTES: int(15, 1),
  EMBED_RUN_TOKEN_BUDGET: int(2_000_000, 1),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  OPENAI_EMBED_MAX_INPUTS: int(256, 1, 2048),
  OPENAI_TIMEOUT_MS: int(30_000, 100),
  SEARCH_EXACT_THRESHOLD: int(5000, 0),

  // Ask (answers composed from evidence; docs/ask.md)
  ASK_PROVIDER: z.enum(['openai']).optional(),
  ASK_MODEL: z.string().min(1).default('gpt-4o-mini'),
  ASK_TIMEOUT_MS: int(30_000, 100),
  ASK_MAX_TOKENS_PER_ANSWER: int(8_000, 3_000),
  ASK_DAILY_TOKEN_BUDGET: int(1_000_000, 1),
  ASK_MAX_EVIDENCE: int(12, 1, 50),
  ASK_SUPPORT_THRESHOLD: num(0.4, 0, 1),

  // Jobs
  WORKER_ENABLED: bool(true),
  WORKER_INTERVAL_SECONDS: int(30, 1),
  WORKER_TICK_LIMIT: int(50, 1),
  WORKER_CONCURRENCY: int(2, 1, 64),
  JOB_CADENCE_CHATWOOT_SYNC_SECONDS: int(900, 10),
  JOB_CADENCE_EMBEDDINGS_RUN_SECONDS: int(300, 10),
  JOB_CADENCE_OUTBOUND_PROCESS_SECONDS: int(60, 10),
  JOB_CADENCE_SIGNALS_RUN_SECONDS: int(900, 10),
  JOB_CADENCE_LINEAR_SYNC_SECONDS: int(900, 10),
  JOB_CADENCE_ATTIO_SYNC_SECONDS: int(900, 10),
  SIGNALS_DIGEST_HOUR_UTC: int(7, 0, 23),
  SIGNALS_LLM: z.enum(['off', 'on']).default('off'),
  SIGNALS_LLM_MAX_CONVERSATIONS: int(20, 1, 1000),
  SIGNALS_LLM_MAX_MESSAGES: int(30, 1, 200),

  // Outbound
  OUTBOUND_FOUR_EYES: bool(false),
  OUTBOUND_DEFAULT_MAX_RETRIES: int(3, 0, 20),
  SMTP_URL: optionalString,
  SMTP_FROM: z.string().min(3).default('Cairn <cairn@localhost>'),

  // Demo
  DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n') +
        '\nSee .env.example for every variable and its default.',
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws a ConfigError naming every invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // `NAME=` in a .env file means "not set", exactly like leaving the line out.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = ConfigSchema.safeParse(given);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(unknown)'),
        message: issue.message,
      })),
    );
  }
  return result.data;
}

/** The embedding provider in force: `openai` when a key is set and no provider is named. */
export function embeddingProvider(config: Config): 'local' | 'openai' {
  return config.EMBEDDING_PROVIDER ?? (config.OPENAI_API_KEY ? 'openai' : 'local');
}

/** The demo runs only with no external database or Chatwoot configured, unless forced. */
export function demoEnabled(config: Config): boolean {
  if (config.DEMO !== 'auto') return config.DEMO === 'true';
  return !config.DATABASE_URL && !config.CHATWOOT_BASE_URL;
}
