import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bindAttioSim,
  truthItems,
  type AttioBound,
  type Json,
} from '../connectors/attio/harness.js';
import { bindLinearSim, type LinearBound } from '../connectors/linear/harness.js';
import { createConversation } from '../rag/factories.js';
import { useTestApp } from '../support/app.js';
import { insertSignal } from '../support/signals.js';

/**
 * Evidence across sources (issue 18, item 7): an outbound draft cites a Linear issue, a Linear
 * comment, an Attio note and an Attio task of its project, each read back for display with its
 * text, who, when and the exact place in Linear or Attio; another project's rows are refused
 * exactly like unknown ids. The Attio by-id routes and the search hits' links, against the
 * simulators.
 */

const ctx = useTestApp();
const ACCOUNT_ID = 7;

interface Place {
  linear: LinearBound;
  attio: AttioBound;
  issue: Json;
  comment: Json;
  note: Json;
  task: Json;
}

/** A project holding one Linear and one Attio simulator's data, and the rows the tests cite. */
async function bindPlace(seed: string): Promise<Place> {
  const linear = await bindLinearSim(ctx, seed);
  await linear.sync();
  const attio = await bindAttioSim(ctx, seed);
  // One project, both sources: the Attio rows go into the Linear project.
  await attio.sync({ scope: linear.scope });
  const truth = linear.sim.control.groundTruth;
  const issue = [...truth.issues({ includeArchived: false })].find(
    (i) => (i as Json)['description'],
  ) as Json;
  const comment = [...truth.comments({ includeArchived: false })].find(
    (c) => (c as Json)['user'],
  ) as Json;
  const note = truthItems(attio.sim, 'notes')[2]!;
  const task = truthItems(attio.sim, 'tasks').find((t) => t['linked_records'].length > 0)!;
  return { linear, attio, issue, comment, note, task };
}

/** The web_url of an Attio record of the simulator, whichever object holds it. */
function recordUrl(attio: AttioBound, recordId: string): string {
  for (const kind of ['people', 'companies', 'deals'] as const) {
    const found = truthItems(attio.sim, kind).find((r) => r['id']['record_id'] === recordId);
    if (found) return found['web_url'] as string;
  }
  throw new Error(`no record ${recordId}`);
}

/** Linear's comment url: the issue's, with the comment's anchor (as linear-sim renders it). */
const commentUrl = (comment: Json) =>
  `${comment['issue']['url']}#comment-${String(comment['id']).slice(0, 8)}`;

/** A response body without its request id, which differs between any two requests. */
const withoutRequestId = (body: string) => body.replace(/"request_id":"[^"]*"/, '');

function memberName(attio: AttioBound, actor: Json): string {
  const member = truthItems(attio.sim, 'members').find(
    (m) => m['id']['workspace_member_id'] === actor['id'],
  )!;
  return `${member['first_name']} ${member['last_name']}`;
}

describe('evidence across sources', { timeout: 120_000 }, () => {
  let a: Place;
  let b: Place;
  let conversation: string;

  beforeAll(async () => {
    a = await bindPlace('xsource-a');
    b = await bindPlace('xsource-b');
    const source = await a.linear.session.request('POST', '/sources', {
      source_kind: 'chatwoot_account',
      base_url: `http://127.0.0.1:9/${randomUUID()}`,
      account_id: ACCOUNT_ID,
      api_token: 'not-a-real-token',
    });
    expect(source.statusCode, source.body).toBe(201);
    const [message] = await createConversation(
      ctx.database,
      { ...a.linear.scope, accountId: ACCOUNT_ID },
      { messages: [{ text: 'Is the logo issue fixed, and did you note our budget?' }] },
    );
    conversation = message!.conversationGlobalId;
  });
  afterAll(async () => {
    for (const place of [a, b]) {
      await place?.linear.sim.stop();
      await place?.attio.sim.stop();
    }
  });

  const draft = (evidence_refs: { source: string; ref: string }[]) =>
    a.linear.session.request('POST', '/outbound/draft', {
      channel: 'chatwoot',
      recipient_ref: conversation,
      payload: { content: 'The logo issue is fixed; the budget note is on your record.' },
      idempotency_key: randomUUID(),
      evidence_refs,
    });

  it('accepts a draft citing a Linear issue and comment and an Attio note and task, and reads each back with its text, who, when and place', async () => {
    const p = a.linear.scope.projectId;
    const res = await draft([
      { source: 'lin_issues', ref: a.issue['id'] },
      // A stable id as search hits carry it names the same row.
      { source: 'lin_comments', ref: `lincmt:${p}:${a.comment['id']}` },
      { source: 'att_notes', ref: a.note['id']['note_id'] },
      { source: 'att_tasks', ref: `att:${p}:${a.task['id']['task_id']}` },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const detail = await a.linear.session.request('GET', `/outbound/${res.json().message.id}`);
    expect(detail.statusCode, detail.body).toBe(200);
    const at = (value: string) => new Date(value).toISOString();
    expect(detail.json().evidence).toEqual([
      {
        source: 'lin_issues',
        ref: a.issue['id'],
        found: true,
        text: `${a.issue['identifier']} ${a.issue['title']}\n\n${a.issue['description'].trim()}`,
        author: a.issue['assignee']?.['name'] ?? null,
        at: at(a.issue['createdAt']),
        deep_link: a.issue['url'],
        conversation_id: null,
      },
      {
        source: 'lin_comments',
        ref: `lincmt:${p}:${a.comment['id']}`,
        found: true,
        text: a.comment['body'],
        author: a.comment['user']['name'],
        at: at(a.comment['createdAt']),
        deep_link: commentUrl(a.comment),
        conversation_id: null,
      },
      {
        source: 'att_notes',
        ref: a.note['id']['note_id'],
        found: true,
        text: `${a.note['title']}\n\n${a.note['content_plaintext'].trim()}`,
        author: memberName(a.attio, a.note['created_by_actor']),
        at: at(a.note['created_at']),
        deep_link: recordUrl(a.attio, a.note['parent_record_id']),
        conversation_id: null,
      },
      {
        source: 'att_tasks',
        ref: `att:${p}:${a.task['id']['task_id']}`,
        found: true,
        text: a.task['content_plaintext'],
        author: memberName(a.attio, a.task['created_by_actor']),
        at: at(a.task['created_at']),
        deep_link: recordUrl(a.attio, a.task['linked_records'][0]['target_record_id']),
        conversation_id: null,
      },
    ]);
  });

  it('shows a signal’s Linear issue and Attio task evidence with its place (by their stable ids)', async () => {
    const p = a.linear.scope.projectId;
    const issueRef = `lin:${p}:${a.issue['id']}`;
    const taskRef = `att:${p}:${a.task['id']['task_id']}`;
    const id = await insertSignal(
      ctx.database,
      a.linear.scope,
      { conversation, message: '' },
      {
        kind: 'stalled',
        evidence_refs: JSON.stringify([
          { source: 'lin_issues', ref: issueRef, snippet: a.issue['title'] },
          { source: 'att_tasks', ref: taskRef },
        ]),
      },
    );
    const res = await a.linear.session.request('GET', `/signals/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().evidence).toMatchObject([
      {
        source: 'lin_issues',
        ref: issueRef,
        found: true,
        quote: a.issue['title'],
        deep_link: a.issue['url'],
      },
      {
        source: 'att_tasks',
        ref: taskRef,
        found: true,
        quote: a.task['content_plaintext'],
        author: memberName(a.attio, a.task['created_by_actor']),
        deep_link: recordUrl(a.attio, a.task['linked_records'][0]['target_record_id']),
      },
    ]);
  });

  it("refuses another project's Linear and Attio rows exactly like unknown ids", async () => {
    const p = a.linear.scope.projectId;
    const foreign: [source: string, ref: string, twin: string][] = [
      ['lin_issues', b.issue['id'], randomUUID()],
      ['lin_comments', b.comment['id'], randomUUID()],
      ['att_notes', b.note['id']['note_id'], randomUUID()],
      ['att_tasks', b.task['id']['task_id'], randomUUID()],
    ];
    // B's stable ids, and B's row id dressed as one of A's.
    const bp = b.linear.scope.projectId;
    const bIssue = b.issue['id'] as string;
    foreign.push(['lin_issues', `lin:${bp}:${bIssue}`, `lin:${bp}:${randomUUID()}`]);
    foreign.push(['lin_issues', `lin:${p}:${bIssue}`, `lin:${p}:${randomUUID()}`]);
    foreign.push([
      'att_notes',
      `atn:${bp}:${b.note['id']['note_id']}`,
      `atn:${bp}:${randomUUID()}`,
    ]);
    for (const [source, ref, twin] of foreign) {
      const res = await draft([
        { source: 'lin_issues', ref: a.issue['id'] },
        { source, ref },
      ]);
      const missing = await draft([
        { source: 'lin_issues', ref: a.issue['id'] },
        { source, ref: twin },
      ]);
      expect(res.statusCode, `${source} ${ref}`).toBe(400);
      expect(missing.statusCode).toBe(400);
      expect(withoutRequestId(res.body).replaceAll(ref, '<ref>')).toBe(
        withoutRequestId(missing.body).replaceAll(twin, '<ref>'),
      );
      expect(res.json().details.fields).toEqual([
        { field: 'evidence_refs.1.ref', message: `no ${source} row ${ref} in the active project` },
      ]);
    }
  });

  it('reads an Attio note, task and record by id, and answers 404 for another project’s exactly like a missing id', async () => {
    const session = a.linear.session;
    const note = await session.request('GET', `/attio/notes/${a.note['id']['note_id']}`);
    expect(note.statusCode, note.body).toBe(200);
    expect(note.json().note).toMatchObject({
      id: a.note['id']['note_id'],
      parent_object: a.note['parent_object'],
      parent_record_id: a.note['parent_record_id'],
      title: a.note['title'],
      author: memberName(a.attio, a.note['created_by_actor']),
      web_url: recordUrl(a.attio, a.note['parent_record_id']),
    });
    const task = await session.request('GET', `/attio/tasks/${a.task['id']['task_id']}`);
    expect(task.statusCode, task.body).toBe(200);
    expect(task.json().task).toMatchObject({
      id: a.task['id']['task_id'],
      content_plaintext: a.task['content_plaintext'],
      is_completed: a.task['is_completed'],
      linked_record_ids: a.task['linked_records'].map((l: Json) => l['target_record_id']),
      web_url: recordUrl(a.attio, a.task['linked_records'][0]['target_record_id']),
    });
    const record = await session.request('GET', `/attio/records/${a.note['parent_record_id']}`);
    expect(record.statusCode, record.body).toBe(200);
    expect(record.json().record).toMatchObject({
      id: a.note['parent_record_id'],
      object: a.note['parent_object'],
      web_url: recordUrl(a.attio, a.note['parent_record_id']),
    });

    for (const [route, id] of [
      ['notes', b.note['id']['note_id']],
      ['tasks', b.task['id']['task_id']],
      ['records', b.note['parent_record_id']],
    ] as const) {
      const own = await b.linear.session.request('GET', `/attio/${route}/${id}`);
      expect(own.statusCode, `B reads its own ${route}`).toBe(200);
      const res = await session.request('GET', `/attio/${route}/${id}`);
      const missing = await session.request('GET', `/attio/${route}/${randomUUID()}`);
      expect(res.statusCode).toBe(404);
      expect(withoutRequestId(res.body)).toBe(withoutRequestId(missing.body));
    }
  });

  it('names the source of every search hit and links an Attio task to its first linked record', async () => {
    const p = a.linear.scope.projectId;
    const res = await a.linear.session.request('POST', '/search', {
      query: a.task['content_plaintext'],
      topK: 50,
      source: 'attio',
    });
    expect(res.statusCode, res.body).toBe(200);
    const hits = res.json().hits as {
      source: string;
      deep_link: string;
      message_global_id: string;
    }[];
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.source === 'attio' && h.deep_link.startsWith('http'))).toBe(true);
    const hit = hits.find((h) => h.message_global_id === `att:${p}:${a.task['id']['task_id']}`);
    expect(hit?.deep_link).toBe(
      recordUrl(a.attio, a.task['linked_records'][0]['target_record_id']),
    );

    const linear = await a.linear.session.request('POST', '/search', {
      query: a.comment['body'],
      topK: 50,
      source: 'linear',
    });
    const commentHit = (linear.json().hits as typeof hits).find(
      (h) => h.message_global_id === `lincmt:${p}:${a.comment['id']}`,
    );
    expect(commentHit).toMatchObject({ source: 'linear', deep_link: commentUrl(a.comment) });
  });
});
