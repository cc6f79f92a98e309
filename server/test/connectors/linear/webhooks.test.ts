import {
  buildWebhookPayload,
  linearSignedDelivery,
  type LinearSignedDelivery,
} from '@cairn/linear-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_ORDER } from '../../../src/modules/connectors/linear/sync-linear.js';
import { useTestApp } from '../../support/app.js';
import {
  bindLinearSource,
  expectConverged,
  LINEAR_WEBHOOK_SECRET,
  linearChunks,
  type LinearBound,
} from './harness.js';

/**
 * `POST /webhooks/linear/:source_id` against deliveries built by the simulator (issue 18, item 3):
 * signature over the raw body, webhookTimestamp within 60 s, Linear-Delivery replays dropped, and
 * Issue/Comment create/update/remove applied through the sync's own writes.
 */

const ctx = useTestApp();

type Json = Record<string, unknown>;

describe('the Linear webhook receiver', { timeout: 60_000 }, () => {
  let bound: LinearBound & { sourceId: string };
  const post = (delivery: LinearSignedDelivery, sourceId = bound.sourceId) =>
    ctx.app.inject({
      method: 'POST',
      url: `/webhooks/linear/${sourceId}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
  const sign = (payload: Json, deliveryId?: string) =>
    linearSignedDelivery(LINEAR_WEBHOOK_SECRET, payload, { deliveryId });
  const issueRow = (id: string) =>
    ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{ title: string; archived_at: Date | null }>`
        select title, archived_at from lin_issues
        where project_id = ${bound.scope.projectId}::uuid and id = ${id}`.execute(trx);
      return rows;
    });
  const receipts = async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from webhook_receipts where receiver = 'linear'
        and endpoint_id = ${bound.sourceId}::uuid`.execute(ctx.database.db);
    return rows[0]!.n;
  };
  const written = (counts: Awaited<ReturnType<LinearBound['sync']>>) =>
    SYNC_ORDER.reduce(
      (sum, kind) =>
        sum + counts.kinds[kind].inserted + counts.kinds[kind].updated + counts.kinds[kind].deleted,
      0,
    );

  beforeAll(async () => {
    bound = await bindLinearSource(ctx, 'linear-webhooks');
    await bound.sync();
  });
  afterAll(() => bound?.sim.stop());

  it('applies a signed issue update when the request returns; the next sync writes nothing', async () => {
    const issue = [...bound.sim.control.groundTruth.issues()][4] as { id: string };
    bound.sim.control.editIssue(issue.id, { title: 'Webhook-borne title: the landing page copy' });
    const res = await post(sign(buildWebhookPayload(bound.sim, 'Issue', 'update', issue.id)));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      event: 'Issue:update',
      applied: true,
      duplicate: false,
    });
    expect(await issueRow(issue.id)).toEqual([
      { title: 'Webhook-borne title: the landing page copy', archived_at: null },
    ]);
    const chunks = await linearChunks(ctx.database, bound.scope);
    expect(chunks.get(`lin:${bound.scope.projectId}:${issue.id}`)).toContain('Webhook-borne title');
    // The row is the sync's row, hash included.
    expect(written(await bound.sync())).toBe(0);
  });

  it('applies created, archived and removed issues and comments', async () => {
    const { control } = bound.sim;
    const existing = [...control.groundTruth.issues()] as { id: string; teamId: string }[];
    const added = control.addIssue({
      teamId: existing[0]!.teamId,
      title: 'Новая задача из вебхука: баннер для весенней акции',
      description: 'Нужно **два** варианта, RU и EN.',
    } as never) as { id: string };
    expect(
      (await post(sign(buildWebhookPayload(bound.sim, 'Issue', 'create', added.id)))).json(),
    ).toMatchObject({ applied: true });
    const comment = control.addComment({
      issueId: added.id,
      body: 'Согласовали с клиентом: макет до пятницы, финальные файлы в понедельник.',
    } as never) as { id: string };
    expect(
      (await post(sign(buildWebhookPayload(bound.sim, 'Comment', 'create', comment.id)))).json(),
    ).toMatchObject({ applied: true });
    const chunks = await linearChunks(ctx.database, bound.scope);
    expect(chunks.get(`lincmt:${bound.scope.projectId}:${comment.id}`)).toContain('Согласовали');

    control.archiveIssue(existing[7]!.id);
    expect(
      (await post(sign(buildWebhookPayload(bound.sim, 'Issue', 'update', existing[7]!.id)))).json(),
    ).toMatchObject({ applied: true });
    expect((await issueRow(existing[7]!.id))[0]!.archived_at).not.toBeNull();

    // The remove payload is built before the delete (the simulator forgets the issue after).
    const removal = buildWebhookPayload(bound.sim, 'Issue', 'remove', added.id);
    control.deleteIssue(added.id);
    expect((await post(sign(removal))).json()).toMatchObject({ applied: true });
    expect(await issueRow(added.id)).toEqual([]);
    const after = await linearChunks(ctx.database, bound.scope);
    expect(after.has(`lin:${bound.scope.projectId}:${added.id}`)).toBe(false);
    expect(after.has(`lincmt:${bound.scope.projectId}:${comment.id}`)).toBe(false);

    expect(await expectConverged(ctx.database, bound.scope, bound.sim)).toEqual({});
    expect(written(await bound.sync())).toBe(0);
  });

  it('answers 401 and writes nothing for a tampered body, a wrong signature or a stale timestamp', async () => {
    const issue = [...bound.sim.control.groundTruth.issues()][9] as { id: string; title: string };
    bound.sim.control.editIssue(issue.id, { title: 'Must not arrive by webhook' });
    const payload = buildWebhookPayload(bound.sim, 'Issue', 'update', issue.id);
    const before = await issueRow(issue.id);
    const receiptsBefore = await receipts();
    const good = sign(payload);
    const stale = { ...payload, webhookTimestamp: Date.now() - 61_000 };
    const future = { ...payload, webhookTimestamp: Date.now() + 62_000 };
    const { webhookTimestamp: _ts, ...untimed } = payload;
    const cases: [string, LinearSignedDelivery][] = [
      ['tampered body', { ...good, body: good.body.replace('Must not', 'Must NOT') }],
      ['wrong signature', linearSignedDelivery('not-the-secret-at-all-0000', payload)],
      ['missing signature', { ...good, headers: { ...good.headers, 'linear-signature': '' } }],
      ['stale timestamp', sign(stale)],
      ['timestamp too far ahead', sign(future)],
      ['no timestamp', sign(untimed)],
    ];
    for (const [label, delivery] of cases) {
      const res = await post(delivery);
      expect(res.statusCode, `${label}: ${res.body}`).toBe(401);
      expect(res.json().error, label).toBe('invalid_signature');
    }
    expect(await issueRow(issue.id)).toEqual(before);
    expect(await receipts()).toBe(receiptsBefore);
    // An unknown source, or a Chatwoot receiver's id, is the same 401.
    expect((await post(good, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(401);
  });

  it('applies the same delivery once, whether resent as is or with a new Linear-Delivery', async () => {
    const issue = [...bound.sim.control.groundTruth.issues()][11] as { id: string };
    bound.sim.control.editIssue(issue.id, { title: 'First webhook version' });
    const first = sign(buildWebhookPayload(bound.sim, 'Issue', 'update', issue.id));
    expect((await post(first)).json()).toMatchObject({ applied: true, duplicate: false });
    bound.sim.control.editIssue(issue.id, { title: 'Second webhook version' });
    const second = sign(buildWebhookPayload(bound.sim, 'Issue', 'update', issue.id));
    expect((await post(second)).json()).toMatchObject({ applied: true });

    const again = await post(first);
    expect(again.json()).toMatchObject({ applied: false, duplicate: true });
    // A retry keeps its Linear-Delivery id even when re-signed with a fresh timestamp.
    const retried = sign(
      { ...JSON.parse(first.body), webhookTimestamp: Date.now() },
      first.headers['linear-delivery'],
    );
    expect((await post(retried)).json()).toMatchObject({ applied: false, duplicate: true });
    expect(await issueRow(issue.id)).toEqual([
      { title: 'Second webhook version', archived_at: null },
    ]);
  });

  it('refuses a signed delivery that is not Linear’s shape, naming the field, and records it', async () => {
    const issue = [...bound.sim.control.groundTruth.issues()][13] as { id: string };
    const payload = buildWebhookPayload(bound.sim, 'Issue', 'update', issue.id) as Json;
    const before = await issueRow(issue.id);
    const res = await post(
      sign({ ...payload, data: { ...(payload.data as Json), priority: 'urgent' } }),
    );
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'validation_error',
      details: { fields: [{ field: 'data.priority' }] },
    });
    expect(await issueRow(issue.id)).toEqual(before);
    const source = (await bound.session.request('GET', '/sources')).json().sources[0];
    expect(source.last_webhook_error.message).toMatch(/^Issue:update refused: data.priority/);

    const foreign = await post(sign({ ...payload, organizationId: 'another-org' }));
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().details.fields[0].field).toBe('organizationId');
  });
});
