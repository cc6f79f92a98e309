import { createHash, randomBytes } from 'node:crypto';
import {
  DigestUnsubscribeParamsSchema,
  DigestUnsubscribeResponseSchema,
  type Locale,
} from '@cairn/contract';
import escapeHtml from 'escape-html';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { localeFromAcceptLanguage, t, type MessageKey } from '../../i18n/index.js';

/**
 * One-click unsubscribe from the daily digest email (RFC 8058), built like outbound's
 * (modules/outbound/unsubscribe.ts): every digest mail carries a fresh opaque token, only its hash
 * is stored (`digest_unsubscribe_tokens`, migration 0027), and the link is its own
 * authentication. What it turns off is the user's `app_users.digest_email`; the user turns it back
 * on with `PATCH /auth/me/digest`.
 */

/** The public base the links point at (the API as browsers and mailbox providers reach it). */
export const digestUnsubscribeBase = (config: Config) =>
  `${(config.PUBLIC_BASE_URL ?? `${new URL(config.CORS_ORIGIN).origin}/api`).replace(/\/+$/, '')}/digest/unsubscribe`;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh link for one mail to one user. */
export async function issueDigestUnsubscribeLink(
  database: Database,
  userId: string,
  base: string,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await sql`insert into digest_unsubscribe_tokens (token_hash, user_id)
            values (${hashToken(token)}, ${userId}::uuid)`.execute(database.db);
  return `${base}/${token}`;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

// One answer for a malformed, tampered and unknown token: a link reveals nothing about others.
const unknownLink = () => new AppError('not_found', 'this unsubscribe link is not valid');

/** The token's user and whether their digest email is on. Read without a session. */
async function findToken(database: Database, token: string) {
  if (!TOKEN_PATTERN.test(token)) throw unknownLink();
  const { rows } = await sql<{ user_id: string; digest_email: boolean; locale: Locale | null }>`
    select t.user_id, u.digest_email, u.locale
    from digest_unsubscribe_tokens t join app_users u on u.id = t.user_id
    where t.token_hash = ${hashToken(token)}`.execute(database.db);
  if (!rows[0]) throw unknownLink();
  return rows[0];
}

/** Turns the token's user's digest email off; repeating it changes nothing more. */
export async function unsubscribeDigestByToken(database: Database, token: string) {
  const found = await findToken(database, token);
  await database.db.transaction().execute(async (trx) => {
    await sql`update app_users set digest_email = false, updated_at = now()
              where id = ${found.user_id}::uuid and digest_email`.execute(trx);
    await sql`update digest_unsubscribe_tokens set used_at = coalesce(used_at, now())
              where token_hash = ${hashToken(token)}`.execute(trx);
  });
  return found;
}

const wantsJson = (request: FastifyRequest) =>
  /application\/json/i.test(request.headers.accept ?? '') &&
  !/text\/html/i.test(request.headers.accept ?? '');

/** The page, in the user's saved language, else the browser's. */
function page(request: FastifyRequest, saved: Locale | null, state: 'confirm' | 'done') {
  const locale = saved ?? localeFromAcceptLanguage(request.headers['accept-language']);
  const text = (key: MessageKey) => escapeHtml(t(locale, key));
  const form =
    state === 'confirm'
      ? '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">' +
        `<button type="submit">${text('digestUnsubscribe.confirm.button')}</button></form>`
      : '';
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${text(`digestUnsubscribe.${state}.title`)}</title><style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}` +
    `button{font:inherit;padding:.5rem 1rem}</style></head>` +
    `<body><h1>${text(`digestUnsubscribe.${state}.heading`)}</h1><p>${text(`digestUnsubscribe.${state}.body`)}</p>${form}</body></html>`
  );
}

function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  found: { digest_email: boolean; locale: Locale | null },
  state: 'confirm' | 'done',
) {
  if (wantsJson(request)) {
    return reply.send({
      ok: true as const,
      digest_email: state === 'confirm' && found.digest_email,
    });
  }
  return reply.type('text/html; charset=utf-8').send(page(request, found.locale, state));
}

/**
 * `POST /digest/unsubscribe/:token` (body `List-Unsubscribe=One-Click`, sent by mailbox
 * providers without cookies) turns the digest email off and answers 200 itself, never a redirect.
 * `GET` only shows a confirmation page (or, asked for JSON, the current state), because link
 * scanners and prefetchers follow GET links and must not unsubscribe anyone.
 */
export const digestUnsubscribeRoutes: FastifyPluginAsync = async (app) => {
  // Form bodies are accepted here only (encapsulated): the rest of the API stays JSON-only.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) =>
      done(null, body),
    );
  }

  app.post<{ Params: { token: string } }>(
    '/digest/unsubscribe/:token',
    {
      config: { access: 'webhook', permission: 'public' },
      schema: {
        tags: ['signals'],
        summary: 'One-click unsubscribe from the digest email (RFC 8058); no session, no redirect',
        params: DigestUnsubscribeParamsSchema,
      },
    },
    async (request, reply) => {
      const found = await unsubscribeDigestByToken(app.database, request.params.token);
      return answer(request, reply, found, 'done');
    },
  );

  app.get<{ Params: { token: string } }>(
    '/digest/unsubscribe/:token',
    {
      config: { access: 'public', permission: 'public' },
      schema: {
        tags: ['signals'],
        summary: 'Digest unsubscribe confirmation page (or JSON state); changes nothing',
        params: DigestUnsubscribeParamsSchema,
        response: { 200: DigestUnsubscribeResponseSchema },
      },
    },
    async (request, reply) => {
      const found = await findToken(app.database, request.params.token);
      return answer(request, reply, found, 'confirm');
    },
  );
};
