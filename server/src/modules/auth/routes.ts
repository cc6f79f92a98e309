import {
  LoginBodySchema,
  LoginResponseSchema,
  LogoutResponseSchema,
  MeResponseSchema,
  UpdateMeBodySchema,
} from '@cairn/contract';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.js';
import { describeCaller } from '../../http/access.js';
import { login, logout } from './service.js';
import { setUserLocale } from './user-locale.js';

const tags = ['auth'];

/**
 * `/auth/me`'s answer is a union (signed in or not), and fast-json-stringify serializes a union by
 * validating the data against each branch with Ajv (formats included) on every response: on the
 * most frequent authenticated read that cost about as much as authenticating itself
 * (docs/benchmarks.md, "Authentication"). The handlers build exactly the schema's fields from
 * typed values (describeCaller), so plain JSON.stringify writes the same bytes; the schema stays
 * the route's contract for OpenAPI and for test/identity/login.test.ts, which checks the answers
 * against it.
 */
const serializeAsBuilt = () => (data: unknown) => JSON.stringify(data);

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app;
  // GET /auth/me's signed-in answer as JSON text (all but its request_id), per caller: the
  // browser app asks on every page and a token client before its calls, and describing the
  // caller and writing the larger answer cost about as much again as authenticating
  // (docs/benchmarks.md, "Authentication"). Keyed by the credential object the guard hands over:
  // the credential cache replaces it whenever what the answer says may have changed (a forget on
  // revocation, a role, membership, project or locale change, here or by NOTIFY from another
  // process; a last-seen write), and a lookup without the cache makes a new object every time
  // (modules/access/identity.ts), so an answer is never older than the credential it describes.
  const answers = new WeakMap<object, { user: object; json: string }>();

  app.post(
    '/auth/login',
    {
      config: { access: 'public', permission: 'public' },
      schema: {
        tags,
        summary: 'Sign in; sets the session and CSRF cookies',
        body: LoginBodySchema,
        response: { 200: LoginResponseSchema },
      },
    },
    async (request, reply) => {
      const session = await login(app.database, config, {
        username: request.body.username,
        password: request.body.password,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        requestId: request.id,
        previousCookie: request.cookies[config.SESSION_COOKIE_NAME],
      });
      const maxAge = Math.floor((session.expiresAt.getTime() - Date.now()) / 1000);
      reply.setCookie(config.SESSION_COOKIE_NAME, session.cookieValue, {
        ...sessionCookie(config),
        maxAge,
      });
      reply.setCookie(config.CSRF_COOKIE_NAME, session.csrfToken, {
        ...csrfCookie(config),
        maxAge,
      });
      return {
        ok: true as const,
        username: session.username,
        active_project_id: session.activeProjectId,
      };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary: 'Sign out; the session cookie stops working',
        response: { 200: LogoutResponseSchema },
      },
    },
    async (request, reply) => {
      await logout(app.database, request.session!, request.id);
      clearAuthCookies(reply, config);
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'public', permission: 'public' },
      schema: {
        tags,
        summary:
          'The caller (session or token), their roles and permissions, or authenticated: false',
        response: { 200: MeResponseSchema },
      },
      serializerCompiler: serializeAsBuilt,
    },
    async (request, reply) => {
      const user = request.user;
      if (!user) return { ok: true as const, authenticated: false as const };
      const credential = request.session ?? request.token!;
      let answer = answers.get(credential);
      if (answer?.user !== user) {
        const body = {
          ok: true as const,
          authenticated: true as const,
          ...describeCaller(request),
        };
        answer = { user, json: JSON.stringify(body).slice(0, -1) };
        answers.set(credential, answer);
      }
      // The envelope's request_id, which preSerialization adds to objects (http/envelope.ts); a
      // JSON string is sent as it is (untyped reply: the schema types the object form).
      return (reply as FastifyReply)
        .type('application/json; charset=utf-8')
        .send(`${answer.json},"request_id":${JSON.stringify(request.id)}}`);
    },
  );

  app.patch(
    '/auth/me',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary:
          "The signed-in user's preferences: the interface language (null follows the browser)",
        body: UpdateMeBodySchema,
        response: { 200: MeResponseSchema },
      },
      serializerCompiler: serializeAsBuilt,
    },
    async (request) => {
      await setUserLocale(app.database, request.user!.id, request.body.locale);
      // The caller is the credential cache's own (frozen) object: this request gets a new one.
      request.user = { ...request.user!, locale: request.body.locale };
      return { ok: true as const, authenticated: true as const, ...describeCaller(request) };
    },
  );
};

const sessionCookie = (config: Config): CookieSerializeOptions => ({
  httpOnly: true,
  sameSite: 'lax',
  path: '/',
  secure: config.COOKIE_SECURE,
});

// Readable by the page on purpose: the page copies it into x-csrf-token (synchronizer token).
const csrfCookie = (config: Config): CookieSerializeOptions => ({
  ...sessionCookie(config),
  httpOnly: false,
});

function clearAuthCookies(reply: FastifyReply, config: Config) {
  reply.clearCookie(config.SESSION_COOKIE_NAME, sessionCookie(config));
  reply.clearCookie(config.CSRF_COOKIE_NAME, csrfCookie(config));
}
