import type { AskEvent } from '@cairn/contract';
import { Value } from 'typebox/value';
import { ASK_EVENT_SCHEMAS } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../src/db/database.js';
import { createEmbeddingProvider } from '../../src/modules/rag/embeddings/provider.js';
import { runEmbeddings } from '../../src/modules/rag/run-embeddings.js';
import type { TestContext } from '../support/app.js';
import {
  createConversation,
  createProject,
  createSession,
  type TestProject,
} from '../rag/factories.js';

/**
 * The events of an SSE body in order, each checked against its contract schema, so a test that
 * reads an event also proves the wire format the web and other clients rely on.
 */
export function parseEvents(body: string): AskEvent[] {
  const events: AskEvent[] = [];
  for (const block of body.split('\n\n')) {
    const event = /^event: (.+)$/mu.exec(block)?.[1];
    const data = /^data: (.+)$/mu.exec(block)?.[1];
    if (!event || !data) continue;
    const schema = ASK_EVENT_SCHEMAS[event as keyof typeof ASK_EVENT_SCHEMAS];
    if (!schema) throw new Error(`unknown event ${event}`);
    const parsed: unknown = JSON.parse(data);
    if (!Value.Check(schema, parsed)) {
      throw new Error(`event ${event} does not match its schema: ${data}`);
    }
    events.push({ event, data: parsed } as AskEvent);
  }
  return events;
}

type EventData = { [E in AskEvent as E['event']]: E['data'] };

export function eventsOf<N extends keyof EventData>(events: AskEvent[], name: N): EventData[N][] {
  return events.filter((e) => e.event === name).map((e) => e.data as unknown as EventData[N]);
}

/** A project with a signed-in session over it, holding the given conversations, embedded. */
export async function projectWith(
  ctx: TestContext,
  conversations: {
    contactName?: string;
    messages: { text: string; senderType?: string; at?: Date }[];
  }[],
) {
  const project = await createProject(ctx.database);
  const messages = [];
  for (const conversation of conversations) {
    messages.push(...(await createConversation(ctx.database, project, conversation)));
  }
  await runEmbeddings({
    database: ctx.database,
    config: ctx.config,
    scope: project,
    provider: createEmbeddingProvider(ctx.config),
  });
  const session = await createSession(ctx.database, project);
  const ask = (payload: unknown, accept?: string) =>
    ctx.app.inject({
      method: 'POST',
      url: '/ask',
      headers: { ...session.headers, ...(accept ? { accept } : {}) },
      payload: payload as Record<string, unknown>,
    });
  const request = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    ctx.app.inject({
      method,
      url,
      headers: session.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  return { project, messages, session, ask, request };
}

/** Which project each chunk id belongs to, read as the owner (the test's view of the truth). */
export async function projectsOfChunks(
  database: Database,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; project_id: string }>`
    select id, project_id from rag_chunks where id = any(${ids}::uuid[])
  `.execute(database.db);
  return new Map(rows.map((r) => [r.id, r.project_id]));
}

export type { Scope, TestProject };
