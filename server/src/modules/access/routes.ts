import {
  AcceptInvitationBodySchema,
  AcceptInvitationResponseSchema,
  ChangePasswordBodySchema,
  CreateTokenBodySchema,
  CreateTokenResponseSchema,
  CreateUserBodySchema,
  DeletedResponseSchema,
  IdParamsSchema,
  InvitationParamsSchema,
  InvitationResponseSchema,
  type Locale,
  MemberListResponseSchema,
  MemberParamsSchema,
  MemberResponseSchema,
  PatchUserBodySchema,
  PutMemberBodySchema,
  RevokedResponseSchema,
  SessionListResponseSchema,
  TokenListResponseSchema,
  UserListResponseSchema,
  UserResponseSchema,
  UserSessionParamsSchema,
  UserWithLinkResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import { actorOf } from '../../http/actor.js';
import { DEFAULT_LOCALE } from '../../i18n/index.js';
import { createSystemMailer } from '../../lib/mail.js';
import { mailLink } from './link-mail.js';
import { listMembers, removeMember, setMember, toMemberDto } from './members.js';
import { acceptLink, describeLink } from './one-time-links.js';
import { changePassword, listSessions, revokeSessions } from './sessions.js';
import { createToken, listTokens, revokeToken, toTokenDto } from './tokens.js';
import { createUser, listUsers, resetUser, toUserDto, updateUser } from './users.js';

const tags = ['access'];

/** Session-only routes: a personal token may not manage sessions or the password. */
function sessionOf(request: FastifyRequest) {
  if (!request.session) throw new AppError('forbidden', 'this needs a signed-in session');
  return request.session;
}

export const accessRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, database } = app;
  // Invitations and resets are emailed by the same system mailer as the digests (lib/mail.ts).
  const mailer = createSystemMailer({ smtpUrl: config.SMTP_URL, from: config.SMTP_FROM });

  /** Emails a fresh link to the user, if they have an address, in their language or the owner's. */
  const mailUserLink = async (
    request: FastifyRequest,
    user: { username: string; email: string | null; locale: Locale | null },
    link: { url: string; purpose: 'invite' | 'reset' },
  ) =>
    user.email
      ? {
          email: await mailLink(mailer, request.log, {
            to: user.email,
            locale: user.locale ?? request.user!.locale ?? DEFAULT_LOCALE,
            purpose: link.purpose,
            username: user.username,
            inviter: request.user!.username,
            url: link.url,
            ttlHours: config.INVITE_TTL_HOURS,
          }),
        }
      : {};

  // ---------------------------------------------------------------------------------------------
  // My sessions and password

  app.get(
    '/auth/sessions',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary: 'My live sessions: created, last seen, address, browser, and which is this one',
        response: { 200: SessionListResponseSchema },
      },
    },
    async (request) => {
      const session = sessionOf(request);
      return {
        ok: true as const,
        sessions: await listSessions(database, config, {
          userId: session.userId,
          currentSessionId: session.sessionId,
        }),
      };
    },
  );

  app.delete(
    '/auth/sessions/:id',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary: 'End one of my sessions (by its id from GET /auth/sessions)',
        params: IdParamsSchema,
        response: { 200: RevokedResponseSchema },
      },
    },
    async (request) => {
      const session = sessionOf(request);
      const revoked = await revokeSessions(
        database,
        { userId: session.userId, publicId: request.params.id },
        actorOf(request),
      );
      return { ok: true as const, revoked };
    },
  );

  app.post(
    '/auth/sessions/revoke-others',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary: 'End every session of mine except this one',
        response: { 200: RevokedResponseSchema },
      },
    },
    async (request) => {
      const session = sessionOf(request);
      const revoked = await revokeSessions(
        database,
        { userId: session.userId, keepSessionId: session.sessionId },
        actorOf(request),
      );
      return { ok: true as const, revoked };
    },
  );

  app.post(
    '/auth/password',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary: 'Change my password; every other session of mine ends',
        body: ChangePasswordBodySchema,
        response: { 200: RevokedResponseSchema },
      },
    },
    async (request) => {
      const session = sessionOf(request);
      await app.rateLimits.passwordChange(request);
      const { revoked } = await changePassword(
        database,
        {
          userId: session.userId,
          currentSessionId: session.sessionId,
          currentPassword: request.body.current_password,
          newPassword: request.body.new_password,
        },
        actorOf(request),
      );
      return { ok: true as const, revoked };
    },
  );

  // ---------------------------------------------------------------------------------------------
  // My personal API tokens

  app.post(
    '/auth/tokens',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary: 'Create a personal API token; its secret is in this response only',
        description:
          'Use it as `Authorization: Bearer cairn_pat_…`, with `X-Cairn-Project: <id>` unless it ' +
          'covers one project. It acts as you, limited to its projects and its permission.',
        body: CreateTokenBodySchema,
        response: { 201: CreateTokenResponseSchema },
      },
    },
    async (request, reply) => {
      const session = sessionOf(request);
      const body = request.body;
      const { token, secret } = await createToken(
        database,
        {
          userId: session.userId,
          name: body.name,
          projectIds: body.project_ids,
          permission: body.permission,
          expiresInDays: body.expires_in_days ?? 90,
        },
        actorOf(request),
      );
      return reply.status(201).send({ ok: true as const, token: toTokenDto(token), secret });
    },
  );

  app.get(
    '/auth/tokens',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary: 'My tokens: name, prefix, projects, permission, expiry, last use',
        response: { 200: TokenListResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      tokens: (await listTokens(database, sessionOf(request).userId)).map(toTokenDto),
    }),
  );

  app.delete(
    '/auth/tokens/:id',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary: 'Revoke one of my tokens; its next request is refused',
        params: IdParamsSchema,
        response: { 200: DeletedResponseSchema },
      },
    },
    async (request) => {
      await revokeToken(
        database,
        { userId: sessionOf(request).userId, tokenId: request.params.id },
        actorOf(request),
      );
      return { ok: true as const, deleted: true as const };
    },
  );

  // ---------------------------------------------------------------------------------------------
  // Users and their one-time links (owners)

  app.get(
    '/users',
    {
      config: { access: 'session', permission: 'users:manage' },
      schema: {
        tags,
        summary: 'Every user, with role, state and any pending invitation or reset link',
        response: { 200: UserListResponseSchema },
      },
    },
    async () => ({ ok: true as const, users: (await listUsers(database)).map(toUserDto) }),
  );

  app.post(
    '/users',
    {
      config: { access: 'session', permission: 'users:manage' },
      schema: {
        tags,
        summary: 'Invite a user; the one-time invitation link is in this response only',
        description:
          `The link works once and for INVITE_TTL_HOURS (${config.INVITE_TTL_HOURS}). With an ` +
          '`email` and SMTP configured it is also emailed, in `locale` (default: yours); ' +
          '`email` in the response says whether that worked.',
        body: CreateUserBodySchema,
        response: { 201: UserWithLinkResponseSchema },
      },
    },
    async (request, reply) => {
      const { user, url, expiresAt } = await createUser(
        database,
        config,
        {
          username: request.body.username,
          role: request.body.role,
          email: request.body.email,
          locale: request.body.locale,
        },
        actorOf(request),
      );
      return reply.status(201).send({
        ok: true as const,
        user: toUserDto(user),
        invitation_url: url,
        expires_at: expiresAt.toISOString(),
        ...(await mailUserLink(request, user, { url, purpose: 'invite' })),
      });
    },
  );

  app.patch(
    '/users/:id',
    {
      config: { access: 'session', permission: 'users:manage' },
      schema: {
        tags,
        summary:
          "Change a user's workspace role or deactivate them (their sessions and tokens end)",
        params: IdParamsSchema,
        body: PatchUserBodySchema,
        response: { 200: UserResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      user: toUserDto(
        await updateUser(database, request.params.id, request.body, actorOf(request)),
      ),
    }),
  );

  app.post(
    '/users/:id/reset',
    {
      config: { access: 'session', permission: 'users:manage' },
      schema: {
        tags,
        summary: 'A new one-time link to set the password; the old password stops working now',
        params: IdParamsSchema,
        response: { 200: UserWithLinkResponseSchema },
      },
    },
    async (request) => {
      const { user, url, expiresAt } = await resetUser(
        database,
        config,
        request.params.id,
        actorOf(request),
      );
      return {
        ok: true as const,
        user: toUserDto(user),
        invitation_url: url,
        expires_at: expiresAt.toISOString(),
        ...(await mailUserLink(request, user, { url, purpose: 'reset' })),
      };
    },
  );

  app.get(
    '/users/:id/sessions',
    {
      config: { access: 'session', permission: 'users:manage' },
      schema: {
        tags,
        summary: "A user's live sessions",
        params: IdParamsSchema,
        response: { 200: SessionListResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      sessions: await listSessions(database, config, {
        userId: request.params.id,
        currentSessionId: request.session?.sessionId ?? null,
      }),
    }),
  );

  app.delete(
    '/users/:id/sessions/:session_id',
    {
      config: { access: 'session', permission: 'users:manage' },
      schema: {
        tags,
        summary: "End one of a user's sessions",
        params: UserSessionParamsSchema,
        response: { 200: RevokedResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      revoked: await revokeSessions(
        database,
        { userId: request.params.id, publicId: request.params.session_id },
        actorOf(request),
      ),
    }),
  );

  app.get(
    '/invitations/:token',
    {
      config: { access: 'public', permission: 'public' },
      // The path is a credential: keep it out of the request log.
      logLevel: 'warn',
      schema: {
        tags,
        summary: 'Who a one-time link is for, while it is valid',
        params: InvitationParamsSchema,
        response: { 200: InvitationResponseSchema },
      },
    },
    async (request) => {
      await app.rateLimits.invitation(request);
      const link = await describeLink(database, request.params.token);
      return {
        ok: true as const,
        username: link.username,
        purpose: link.purpose,
        expires_at: link.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/invitations/:token/accept',
    {
      config: { access: 'public', permission: 'public' },
      logLevel: 'warn',
      schema: {
        tags,
        summary: 'Set the password from a one-time link; the link then stops working',
        params: InvitationParamsSchema,
        body: AcceptInvitationBodySchema,
        response: { 200: AcceptInvitationResponseSchema },
      },
    },
    async (request) => {
      await app.rateLimits.invitation(request);
      const { username } = await acceptLink(database, {
        token: request.params.token,
        password: request.body.password,
        requestId: request.id,
      });
      return { ok: true as const, username };
    },
  );

  // ---------------------------------------------------------------------------------------------
  // Project membership (the project's managers, and owners)

  app.get(
    '/projects/:id/members',
    {
      config: { access: 'session', permission: 'members:manage', projectParam: 'id' },
      schema: {
        tags,
        summary: "The project's members, the workspace owners, and whom its managers may add",
        params: IdParamsSchema,
        response: { 200: MemberListResponseSchema },
      },
    },
    async (request) => {
      const { members, owners, candidates } = await listMembers(database, request.params.id);
      return { ok: true as const, members: members.map(toMemberDto), owners, candidates };
    },
  );

  app.put(
    '/projects/:id/members/:user_id',
    {
      config: { access: 'session', permission: 'members:manage', projectParam: 'id' },
      schema: {
        tags,
        summary: 'Add a user to the project, or change their role in it',
        params: MemberParamsSchema,
        body: PutMemberBodySchema,
        response: { 200: MemberResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      member: toMemberDto(
        await setMember(
          database,
          { projectId: request.params.id, userId: request.params.user_id, role: request.body.role },
          actorOf(request),
        ),
      ),
    }),
  );

  app.delete(
    '/projects/:id/members/:user_id',
    {
      config: { access: 'session', permission: 'members:manage', projectParam: 'id' },
      schema: {
        tags,
        summary: 'Remove a user from the project',
        params: MemberParamsSchema,
        response: { 200: DeletedResponseSchema },
      },
    },
    async (request) => {
      await removeMember(
        database,
        { projectId: request.params.id, userId: request.params.user_id },
        actorOf(request),
      );
      return { ok: true as const, deleted: true as const };
    },
  );
};
