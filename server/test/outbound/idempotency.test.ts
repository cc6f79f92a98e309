import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneIdempotencyKeys, requestHash } from '../../src/modules/outbound/idempotency.js';
import { useTestApp } from '../support/app.js';
import { draftBody, outboundWorld, type World } from './world.js';

describe('POST /outbound/draft idempotency and dedupe', () => {
  const ctx = useTestApp();
  let world: World;
  beforeAll(async () => {
    world = await outboundWorld(ctx, { conversations: 3 });
  });
  afterAll(async () => {
    await world?.sim.stop();
  });

  const rowsWithKey = (key: string) =>
    ctx.database.withScope(world.scope, async (trx) => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from outbound_messages where idempotency_key = ${key}`.execute(
        trx,
      );
      return rows[0]!.n;
    });

  it('replays the first response, status and body byte for byte, for the same key and body', async () => {
    const body = draftBody(world.targets[0]!);
    const first = await world.session.request('POST', '/outbound/draft', body);
    const second = await world.session.request('POST', '/outbound/draft', body);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await rowsWithKey(body.idempotency_key)).toBe(1);
  });

  it('answers 422 idempotency_conflict for the same key with another body, and writes nothing', async () => {
    const body = draftBody(world.targets[0]!);
    await world.session.request('POST', '/outbound/draft', body);
    const other = await world.session.request('POST', '/outbound/draft', {
      ...body,
      payload: { content: 'something else' },
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().error).toBe('idempotency_conflict');
    expect(await rowsWithKey(body.idempotency_key)).toBe(1);
  });

  it('answers 409 idempotency_in_flight while the first request with the key is still running', async () => {
    const body = draftBody(world.targets[0]!);
    // The first request's claim, as it stands while that request runs: committed, leased, unanswered.
    await ctx.database.db.executeQuery(
      sql`insert into idempotency_keys (project_id, account_scope_id, method, route, idempotency_key, request_hash, locked_until)
          values (${world.scope.projectId}::uuid, ${world.scope.accountScopeId}::uuid, 'POST', 'outbound.draft',
                  ${body.idempotency_key}, ${requestHash(body)}, now() + interval '1 minute')`.compile(
        ctx.database.db,
      ),
    );
    const concurrent = await world.session.request('POST', '/outbound/draft', body);
    expect(concurrent.statusCode).toBe(409);
    expect(concurrent.json().error).toBe('idempotency_in_flight');
    expect(await rowsWithKey(body.idempotency_key)).toBe(0);

    // The first request died without answering: once its lease ends, a retry takes the key over.
    await ctx.database.db.executeQuery(
      sql`update idempotency_keys set locked_until = now() - interval '1 second' where idempotency_key = ${body.idempotency_key}`.compile(
        ctx.database.db,
      ),
    );
    const retry = await world.session.request('POST', '/outbound/draft', body);
    expect(retry.statusCode).toBe(201);
    expect(await rowsWithKey(body.idempotency_key)).toBe(1);
  });

  it('lets exactly one of two concurrent requests with one key create the draft', async () => {
    const body = draftBody(world.targets[0]!);
    const [a, b] = await Promise.all([
      world.session.request('POST', '/outbound/draft', body),
      world.session.request('POST', '/outbound/draft', body),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    if (statuses[1] === 409)
      expect([a, b].find((r) => r.statusCode === 409)!.json().error).toBe('idempotency_in_flight');
    expect(await rowsWithKey(body.idempotency_key)).toBe(1);
  });

  it('replays a stored error: a taken dedupe key gives the same 409 duplicate again, with the existing id', async () => {
    const dedupe = `proposal-${randomUUID()}`;
    const original = await world.session.request(
      'POST',
      '/outbound/draft',
      draftBody(world.targets[0]!, { dedupe_key: dedupe }),
    );
    expect(original.statusCode).toBe(201);
    const body = draftBody(world.targets[1]!, { dedupe_key: dedupe });
    const dup = await world.session.request('POST', '/outbound/draft', body);
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({
      error: 'duplicate',
      details: { existing_id: original.json().message.id },
    });
    const again = await world.session.request('POST', '/outbound/draft', body);
    expect(again.statusCode).toBe(409);
    expect(again.body).toBe(dup.body);
  });

  it('stores nothing for a refused input, so the corrected request may reuse the key', async () => {
    const key = randomUUID();
    const bad = await world.session.request(
      'POST',
      '/outbound/draft',
      draftBody(world.targets[0]!, {
        idempotency_key: key,
        evidence_refs: [{ source: 'cw_messages', ref: 'cwmsg:nope' }],
      }),
    );
    expect(bad.statusCode).toBe(400);
    const good = await world.session.request(
      'POST',
      '/outbound/draft',
      draftBody(world.targets[0]!, { idempotency_key: key }),
    );
    expect(good.statusCode).toBe(201);
  });

  it('yields one row when a request is retried after its connection dropped', async () => {
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (ctx.app.server.address() as AddressInfo).port;
    const body = JSON.stringify(draftBody(world.targets[0]!));
    const key = JSON.parse(body).idempotency_key as string;
    // The client sends the whole request and hangs up before any answer.
    await new Promise<void>((resolve) => {
      const req = http.request(`${address}/outbound/draft`, {
        method: 'POST',
        headers: {
          ...world.session.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      });
      req.on('error', () => resolve());
      req.end(body, () => {
        req.destroy();
        resolve();
      });
    });
    let retry;
    for (let i = 0; i < 50; i++) {
      retry = await fetch(`http://127.0.0.1:${port}/outbound/draft`, {
        method: 'POST',
        headers: { ...world.session.headers, 'content-type': 'application/json' },
        body,
      });
      if (retry.status !== 409) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(retry!.status).toBe(201);
    expect(await rowsWithKey(key)).toBe(1);
  });

  it('keeps a key for 24 hours and forgets it after', async () => {
    const body = draftBody(world.targets[0]!);
    const first = await world.session.request('POST', '/outbound/draft', body);
    const age = (hours: number) =>
      ctx.database.db.executeQuery(
        sql`update idempotency_keys set created_at = now() - make_interval(hours => ${hours}) where idempotency_key = ${body.idempotency_key}`.compile(
          ctx.database.db,
        ),
      );
    await age(23);
    expect(await pruneIdempotencyKeys(ctx.database, world.scope)).toBe(0);
    expect((await world.session.request('POST', '/outbound/draft', body)).body).toBe(first.body);
    await age(25);
    expect(await pruneIdempotencyKeys(ctx.database, world.scope)).toBeGreaterThanOrEqual(1);
    const { rows } = await ctx.database.db.executeQuery(
      sql`select 1 from idempotency_keys where idempotency_key = ${body.idempotency_key}`.compile(
        ctx.database.db,
      ),
    );
    expect(rows).toHaveLength(0);
  });

  it('replays a keyed send, a provider failure included, without calling the provider again', async () => {
    const sendWith = (id: string, key: string) =>
      ctx.app.inject({
        method: 'POST',
        url: `/outbound/${id}/send`,
        headers: { ...world.session.headers, 'idempotency-key': key },
      });
    const draft = await world.session.request(
      'POST',
      '/outbound/draft',
      draftBody(world.targets[0]!, { max_retries: 0 }),
    );
    const id = draft.json().message.id as string;
    await world.session.request('POST', `/outbound/${id}/approve`);
    world.sim.control.injectFault({ route: 'create_message', kind: '500', times: 1 });
    const calls = () => world.sim.control.requests({ route: 'create_message' }).length;
    const key = randomUUID();
    const first = await sendWith(id, key);
    expect(first.json().result).toBe('failed');
    const callsAfterFirst = calls();
    const again = await sendWith(id, key);
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(calls()).toBe(callsAfterFirst);

    await world.session.request('POST', `/outbound/${id}/retry`);
    const fresh = await sendWith(id, randomUUID());
    expect(fresh.json().result).toBe('sent');
    expect(calls()).toBe(callsAfterFirst + 1);
  });

  it('answers 409 duplicate with the existing id for a taken dedupe key under a new idempotency key', async () => {
    const dedupe = `dedupe-${randomUUID()}`;
    const a = await world.session.request(
      'POST',
      '/outbound/draft',
      draftBody(world.targets[0]!, { dedupe_key: dedupe }),
    );
    const b = await world.session.request(
      'POST',
      '/outbound/draft',
      draftBody(world.targets[0]!, { dedupe_key: dedupe }),
    );
    expect(b.statusCode).toBe(409);
    expect(b.json().details.existing_id).toBe(a.json().message.id);
  });
});
