import {
  CloseSignalBodySchema,
  DigestSettingsResponseSchema,
  DraftFollowUpBodySchema,
  DraftFollowUpResponseSchema,
  ListSignalsQuerySchema,
  IdParamsSchema,
  ListSignalsResponseSchema,
  PatchSignalSettingsBodySchema,
  PortfolioResponseSchema,
  SignalDetailResponseSchema,
  SignalResponseSchema,
  SignalSettingsResponseSchema,
  SnoozeSignalBodySchema,
  UpdateDigestSettingsBodySchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../http/actor.js';
import { digestUnsubscribeRoutes } from './digest-unsubscribe.js';
import { readDigestSettings, updateDigestSettings } from './digest-webhook.js';
import { sendIdempotentOutcome } from '../outbound/idempotency.js';
import { draftFollowUp } from './draft-follow-up.js';
import { portfolio } from './portfolio.js';
import { defaultSettings, readSignalSettings, updateSignalSettings } from './settings-service.js';
import { closeSignal, listSignals, signalDetail, snoozeSignal } from './service.js';

const tags = ['signals'];
// Any string: a malformed id is a 404 like a missing one, never a 400 that tells them apart.
const SignalParams = Type.Object({ id: Type.String({ maxLength: 200 }) });

/** What needs attention in the active project (issue 19, docs/signals.md). */
export const signalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The digest's one-click unsubscribe (public, its own form-body parser, encapsulated).
  await app.register(digestUnsubscribeRoutes);

  app.get(
    '/auth/me/digest',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary: 'The signed-in user’s daily digest settings (email on or off, webhook URL)',
        response: { 200: DigestSettingsResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      digest: await readDigestSettings(app.database, request.user!.id),
    }),
  );

  app.patch(
    '/auth/me/digest',
    {
      config: { access: 'session', permission: 'self:manage' },
      schema: {
        tags,
        summary:
          'Turns the digest email on or off; sets (answering its new secret once) or removes the digest webhook',
        body: UpdateDigestSettingsBodySchema,
        response: { 200: DigestSettingsResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      ...(await updateDigestSettings(
        app.database,
        app.secrets,
        app.hostPolicy,
        request.user!.id,
        request.body,
      )),
    }),
  );

  app.get(
    '/signals',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'The active project’s signals, newest first (keyset-paged)',
        querystring: ListSignalsQuerySchema,
        response: { 200: ListSignalsResponseSchema },
      },
    },
    async (request) => {
      const page = await listSignals(app.database, request.scope, request.query);
      return { ok: true as const, signals: page.signals, next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/signals/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'One signal with its evidence read in the project (quote, author, time)',
        params: SignalParams,
        response: { 200: SignalDetailResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      ...(await signalDetail(app.database, request.scope, request.params.id)),
    }),
  );

  for (const action of ['resolve', 'dismiss'] as const) {
    app.post(
      `/signals/:id/${action}`,
      {
        config: { access: 'project', permission: 'signals:manage' },
        schema: {
          tags,
          summary:
            action === 'resolve'
              ? 'Resolve a signal by hand, with a reason (audited)'
              : 'Dismiss a signal as not needing attention, with a reason (audited)',
          params: SignalParams,
          body: CloseSignalBodySchema,
          response: { 200: SignalResponseSchema },
        },
      },
      async (request) => ({
        ok: true as const,
        signal: await closeSignal(app.database, request.scope, {
          id: request.params.id,
          action,
          reason: request.body.reason,
          userId: request.user!.id,
          username: request.user!.username,
          requestId: request.id,
        }),
      }),
    );
  }

  app.post(
    '/signals/:id/snooze',
    {
      config: { access: 'project', permission: 'signals:manage' },
      schema: {
        tags,
        summary: 'Snooze a signal until a time; the signals job reopens it then (audited)',
        params: SignalParams,
        body: SnoozeSignalBodySchema,
        response: { 200: SignalResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      signal: await snoozeSignal(app.database, request.scope, {
        id: request.params.id,
        until: request.body.until,
        reason: request.body.reason,
        username: request.user!.username,
        requestId: request.id,
      }),
    }),
  );

  app.post(
    '/signals/:id/draft',
    {
      config: { access: 'project', permission: 'outbound:draft' },
      schema: {
        tags,
        summary:
          'Draft a follow-up: an outbound draft into the signal’s conversation citing its evidence',
        params: SignalParams,
        body: DraftFollowUpBodySchema,
        response: { 201: DraftFollowUpResponseSchema },
      },
    },
    async (request, reply) => {
      const outcome = await draftFollowUp({
        database: app.database,
        scope: request.scope,
        config: app.config,
        signalId: request.params.id,
        body: request.body,
        actor: {
          userId: request.user!.id,
          username: request.user!.username,
          requestId: request.id,
        },
      });
      return sendIdempotentOutcome(reply, outcome);
    },
  );

  app.get(
    '/portfolio',
    {
      // Across projects: each is read only if the caller may read it there (owners: every one;
      // members: their projects; a token: the ones it covers), in that project's RLS scope.
      config: { access: 'session', permission: 'self:read' },
      schema: {
        tags,
        summary:
          'Every project I can see: open signal counts, the oldest waiting reply, overdue promises',
        response: { 200: PortfolioResponseSchema },
      },
    },
    async (request) => {
      const now = new Date();
      return {
        ok: true as const,
        projects: await portfolio(app.database, { user: request.user!, token: request.token }, now),
        generated_at: now.toISOString(),
      };
    },
  );

  app.get(
    '/projects/:id/signal-settings',
    {
      config: { access: 'session', permission: 'project:read', projectParam: 'id' },
      schema: {
        tags,
        summary: 'The project’s business hours, reply target and stalled thresholds',
        params: IdParamsSchema,
        response: { 200: SignalSettingsResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      settings: await readSignalSettings(app.database, request.scope),
      defaults: defaultSettings(),
    }),
  );

  app.patch(
    '/projects/:id/signal-settings',
    {
      config: { access: 'session', permission: 'project:manage', projectParam: 'id' },
      schema: {
        tags,
        summary: 'Change the project’s signal settings (audited); the next signals run uses them',
        params: IdParamsSchema,
        body: PatchSignalSettingsBodySchema,
        response: { 200: SignalSettingsResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      settings: await updateSignalSettings(
        app.database,
        request.scope,
        request.body,
        actorOf(request),
      ),
      defaults: defaultSettings(),
    }),
  );
};
