import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundStatus } from '../../src/db/schema.js';
import {
  OUTBOUND_ACTIONS,
  OUTBOUND_STATUSES,
  transitionTarget,
} from '../../src/modules/outbound/state-machine.js';
import { useTestApp } from '../support/app.js';
import {
  createApproved,
  createDraft,
  outboundRow,
  outboundWorld,
  setPolicy,
  type World,
} from './world.js';

/** The state machine, written out by hand: the code and the trigger must agree with it. */
const ALLOWED: Record<OutboundStatus, OutboundStatus[]> = {
  draft: ['approved', 'cancelled'],
  approved: ['draft', 'sent', 'failed', 'blocked_opt_out', 'cancelled'],
  failed: ['approved', 'blocked_opt_out', 'cancelled'],
  sent: [],
  blocked_opt_out: [],
  cancelled: [],
};

type HttpAction = 'edit' | 'approve' | 'cancel' | 'send' | 'retry';
const HTTP_ALLOWED: Record<OutboundStatus, Partial<Record<HttpAction, OutboundStatus>>> = {
  draft: { edit: 'draft', approve: 'approved', cancel: 'cancelled' },
  approved: { edit: 'draft', cancel: 'cancelled', send: 'sent' },
  failed: { cancel: 'cancelled', retry: 'approved' },
  sent: {},
  blocked_opt_out: {},
  cancelled: {},
};

describe('outbound state machine', () => {
  const ctx = useTestApp();
  let world: World;
  beforeAll(async () => {
    world = await outboundWorld(ctx);
    await setPolicy(world.session, {
      contact_global_id: world.targets[1]!.contactGlobalId,
      channel: 'chatwoot',
      opted_out: true,
    });
  });
  afterAll(async () => {
    await world?.sim.stop();
  });

  it('allows exactly the listed moves in code', () => {
    for (const from of OUTBOUND_STATUSES) {
      const reachable = OUTBOUND_ACTIONS.map((a) => transitionTarget(from, a)).filter(
        (to): to is OutboundStatus => to !== null && to !== from,
      );
      expect(new Set(reachable), from).toEqual(new Set(ALLOWED[from]));
    }
  });

  async function messageIn(status: OutboundStatus): Promise<string> {
    const [open, optedOut] = [world.targets[0]!, world.targets[1]!];
    switch (status) {
      case 'draft':
        return createDraft(world.session, open);
      case 'approved':
        return createApproved(world.session, open);
      case 'sent': {
        const id = await createApproved(world.session, open);
        expect((await world.session.request('POST', `/outbound/${id}/send`)).json().result).toBe(
          'sent',
        );
        return id;
      }
      case 'failed': {
        const id = await createApproved(world.session, open, { max_retries: 0 });
        world.sim.control.injectFault({ route: 'create_message', kind: '500', times: 1 });
        expect((await world.session.request('POST', `/outbound/${id}/send`)).json().result).toBe(
          'failed',
        );
        return id;
      }
      case 'blocked_opt_out': {
        const id = await createApproved(world.session, optedOut);
        expect((await world.session.request('POST', `/outbound/${id}/send`)).json().result).toBe(
          'blocked',
        );
        return id;
      }
      case 'cancelled': {
        const id = await createDraft(world.session, open);
        expect((await world.session.request('POST', `/outbound/${id}/cancel`)).statusCode).toBe(
          200,
        );
        return id;
      }
    }
  }

  const request = (action: HttpAction, id: string) =>
    action === 'edit'
      ? world.session.request('PATCH', `/outbound/${id}`, { payload: { content: 'edited text' } })
      : world.session.request('POST', `/outbound/${id}/${action}`);

  it('walks every (state, action) pair over HTTP: allowed moves succeed, all others answer 409', async () => {
    for (const status of OUTBOUND_STATUSES) {
      for (const action of ['edit', 'approve', 'cancel', 'send', 'retry'] as const) {
        const id = await messageIn(status);
        expect((await outboundRow(ctx.database, world.scope, id)).status).toBe(status);
        const res = await request(action, id);
        const expected = HTTP_ALLOWED[status][action];
        const label = `${action} on ${status}`;
        if (expected) {
          expect(res.statusCode, `${label}: ${res.body}`).toBe(200);
          expect((await outboundRow(ctx.database, world.scope, id)).status, label).toBe(expected);
        } else {
          expect(res.statusCode, `${label}: ${res.body}`).toBe(409);
          expect(res.json().error, label).toBe('invalid_transition');
          expect(res.json().message, label).toContain(status);
          expect((await outboundRow(ctx.database, world.scope, id)).status, label).toBe(status);
        }
      }
    }
  });

  it('refuses every other move in the database trigger too, whatever the code path', async () => {
    for (const from of OUTBOUND_STATUSES) {
      for (const to of OUTBOUND_STATUSES) {
        if (to === from) continue;
        const id = await messageIn(from);
        const attempt = ctx.database.withScope(world.scope, (trx) =>
          sql`update outbound_messages set status = ${to},
                approved_by = coalesce(approved_by, created_by), approved_at = coalesce(approved_at, now())
              where id = ${id}::uuid`.execute(trx),
        );
        if (ALLOWED[from].includes(to))
          await expect(attempt, `${from} -> ${to}`).resolves.toBeDefined();
        else await expect(attempt, `${from} -> ${to}`).rejects.toMatchObject({ code: 'OB409' });
      }
    }
  });

  it('rejects a delivery attempt, an approval without approver, or a content change that skips approval', async () => {
    const draft = await createDraft(world.session, world.targets[0]!);
    await expect(
      ctx.database.withScope(world.scope, (trx) =>
        sql`insert into outbound_attempts (project_id, account_scope_id, outbound_message_id, attempt_no)
            values (${world.scope.projectId}::uuid, ${world.scope.accountScopeId}::uuid, ${draft}::uuid, 1)`.execute(
          trx,
        ),
      ),
    ).rejects.toMatchObject({ code: 'OB409' });
    await expect(
      ctx.database.withScope(world.scope, (trx) =>
        sql`update outbound_messages set status = 'approved' where id = ${draft}::uuid`.execute(
          trx,
        ),
      ),
    ).rejects.toMatchObject({ code: 'OB409' });
    const approved = await createApproved(world.session, world.targets[0]!);
    await expect(
      ctx.database.withScope(world.scope, (trx) =>
        sql`update outbound_messages set payload = '{"content":"swapped after approval"}' where id = ${approved}::uuid`.execute(
          trx,
        ),
      ),
    ).rejects.toMatchObject({ code: 'OB409' });
    await expect(
      ctx.database.withScope(world.scope, (trx) =>
        sql`insert into outbound_messages (project_id, account_scope_id, channel, recipient_ref, payload, idempotency_key, status)
            values (${world.scope.projectId}::uuid, ${world.scope.accountScopeId}::uuid, 'chatwoot', 'x', '{}', 'born-approved', 'approved')`.execute(
          trx,
        ),
      ),
    ).rejects.toMatchObject({ code: 'OB409' });
  });

  it('returns an edited approved message to draft, clearing its approval', async () => {
    const id = await createApproved(world.session, world.targets[0]!);
    const res = await world.session.request('PATCH', `/outbound/${id}`, {
      payload: { content: 'second thoughts' },
    });
    expect(res.json().message).toMatchObject({
      status: 'draft',
      approved_by: null,
      approved_at: null,
      payload: { content: 'second thoughts' },
    });
  });
});
