import { createHash, randomBytes } from 'node:crypto';
import escapeHtml from 'escape-html';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { sql, type Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { localeFromAcceptLanguage, t, type MessageKey } from '../../i18n/index.js';
import { setPolicy } from './policies.js';
import type { OutboundRow } from './sql.js';
import { systemScope } from '../access/system-actor.js';

export const unsubscribeBase = (config: Config) =>
  `${(config.PUBLIC_BASE_URL ?? `${new URL(config.CORS_ORIGIN).origin}/api`).replace(/\/+$/, '')}/unsubscribe`;

export const hashUnsubscribeToken = (token: string) =>
  createHash('sha256').update(token).digest('hex');

/** A fresh opaque token per attempt; it names project, contact and channel, and only its hash is stored. */
export async function issueUnsubscribeLink(
  trx: Transaction<DB>,
  scope: Scope,
  message: OutboundRow,
  config: Config,
) {
  const token = randomBytes(32).toString('base64url');
  await sql`
    insert into unsubscribe_tokens (token_hash, project_id, account_scope_id, contact_global_id, channel, outbound_message_id)
    values (${hashUnsubscribeToken(token)}, ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid,
            ${message.contact_global_id}, ${message.channel}, ${message.id}::uuid)`.execute(trx);
  return `${unsubscribeBase(config)}/${token}`;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

interface TokenRow {
  project_id: string;
  account_scope_id: string;
  contact_global_id: string;
  channel: 'chatwoot' | 'email';
}

/**
 * Finds the token's project, contact and channel. The link is opened without a session, so the
 * owner connection reads across projects here; everything after runs inside the scope found.
 */
async function findToken(database: Database, token: string): Promise<TokenRow> {
  if (!TOKEN_PATTERN.test(token)) throw unknownLink();
  const { rows } = await sql<TokenRow>`
    select project_id, account_scope_id, contact_global_id, channel from unsubscribe_tokens
    where token_hash = ${hashUnsubscribeToken(token)}`.execute(database.db);
  if (!rows[0]) throw unknownLink();
  return rows[0];
}

// One answer for a malformed, tampered and unknown token: the link reveals nothing about others.
const unknownLink = () => new AppError('not_found', 'this unsubscribe link is not valid');

/** Opts the token's contact out of the token's channel; repeating it changes nothing more. */
export async function unsubscribeByToken(database: Database, token: string, requestId: string) {
  const row = await findToken(database, token);
  // The link's token is its authentication: no user acts, the contact does.
  const scope: Scope = systemScope(
    { projectId: row.project_id, accountScopeId: row.account_scope_id },
    'unsubscribe link',
  );
  await database.withScope(scope, async (trx) => {
    await setPolicy(
      trx,
      scope,
      { contactGlobalId: row.contact_global_id, channel: row.channel, optedOut: true },
      { username: `contact:${row.contact_global_id}`, requestId, via: 'one_click_unsubscribe' },
    );
    await sql`update unsubscribe_tokens set used_at = coalesce(used_at, now())
              where token_hash = ${hashUnsubscribeToken(token)}`.execute(trx);
  });
  return row;
}

/**
 * The page a recipient sees, in the language their browser asks for (recipients are not users, so
 * there is no saved choice), English otherwise.
 */
function page(request: FastifyRequest, state: 'confirm' | 'done') {
  const locale = localeFromAcceptLanguage(request.headers['accept-language']);
  const text = (key: MessageKey) => escapeHtml(t(locale, key));
  const form =
    state === 'confirm'
      ? '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">' +
        `<button type="submit">${text('unsubscribe.confirm.button')}</button></form>`
      : '';
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${text(`unsubscribe.${state}.title`)}</title><style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}` +
    `button{font:inherit;padding:.5rem 1rem}</style></head>` +
    `<body><h1>${text(`unsubscribe.${state}.heading`)}</h1><p>${text(`unsubscribe.${state}.body`)}</p>${form}</body></html>`
  );
}

/**
 * RFC 8058 one-click unsubscribe. `POST /unsubscribe/:token` (body `List-Unsubscribe=One-Click`,
 * sent by mailbox providers without cookies) opts out and answers 200 itself, never a redirect.
 * `GET` only shows a confirmation page with a button, because link scanners and prefetchers
 * follow GET links and must not unsubscribe anyone.
 */
export const unsubscribeRoutes: FastifyPluginAsync = async (app) => {
  // Form bodies are accepted here only (encapsulated): the rest of the API stays JSON-only.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) =>
      done(null, body),
    );
  }

  app.post<{ Params: { token: string } }>(
    '/unsubscribe/:token',
    {
      config: { access: 'webhook', permission: 'public' },
      schema: {
        tags: ['outbound'],
        summary: 'One-click unsubscribe (RFC 8058); no session, no redirect',
        params: {
          type: 'object',
          properties: { token: { type: 'string', maxLength: 200 } },
          required: ['token'],
        },
      },
    },
    async (request, reply) => {
      await unsubscribeByToken(app.database, request.params.token, request.id);
      return reply.status(200).type('text/html; charset=utf-8').send(page(request, 'done'));
    },
  );

  app.get<{ Params: { token: string } }>(
    '/unsubscribe/:token',
    {
      config: { access: 'public', permission: 'public' },
      schema: {
        tags: ['outbound'],
        summary: 'Unsubscribe confirmation page; changes nothing',
        params: {
          type: 'object',
          properties: { token: { type: 'string', maxLength: 200 } },
          required: ['token'],
        },
      },
    },
    async (request, reply) => {
      await findToken(app.database, request.params.token);
      return reply.type('text/html; charset=utf-8').send(page(request, 'confirm'));
    },
  );
};
