// Contract tests: real responses of a running simulator against Chatwoot's own swagger (v4.15.1)
// and against the key layout of the hand-checked examples in ../reference/examples (hand-checked against Chatwoot v4.15.1; docs/chatwoot.md).
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../src/index.js';
import { accountPath, api, readReference, startTinySim, type Json } from './helpers.js';

const swagger = readReference<Json>('swagger.json');

/**
 * Where docs/chatwoot.md §9 says swagger is wrong, the code wins: we correct the schema to the
 * real behaviour and say so here, instead of bending the simulator to the document.
 */
function correctedComponents(): Json {
  const schemas = structuredClone(swagger['components']['schemas']) as Json;
  // Swagger's status enum lacks "snoozed" (docs/chatwoot.md §9).
  schemas['conversation']['properties']['status']['enum'] = [
    'open',
    'resolved',
    'pending',
    'snoozed',
  ];
  // snoozed_until is an ISO string or null in REST, not a number (docs/chatwoot.md §2).
  schemas['conversation']['properties']['snoozed_until'] = {
    type: ['string', 'null'],
    format: 'date-time',
  };
  return { schemas, parameters: swagger['components']['parameters'] };
}

const components = correctedComponents();
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
// ajv-formats is CommonJS; its callable sits on .default under NodeNext typing.
(formats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
ajv.addFormat('binary', true);

const compiled = new Map<Json, ReturnType<typeof ajv.compile>>();

const wrapped = new Map<string, Json>();

function responseSchema(path: string, method: 'get' | 'post'): Json {
  const key = `${method} ${path}`;
  const schema = swagger['paths'][path][method]['responses']['200']['content']['application/json'][
    'schema'
  ] as Json;
  // Inline schemas use "#/components/..." refs: give them the components to resolve against.
  if (!wrapped.has(key)) wrapped.set(key, { ...schema, components });
  return wrapped.get(key)!;
}

function expectValid(schema: Json, body: unknown): void {
  const validate = compiled.get(schema) ?? ajv.compile(schema);
  compiled.set(schema, validate);
  const ok = validate(body);
  expect(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
}

/** The examples are the real shape: same keys, same order, where the same optional parts are present. */
function expectSameKeys(actual: Json, expected: Json): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
}

let sim: Sim;
beforeAll(async () => {
  sim = await startTinySim();
});
afterAll(async () => {
  await sim.stop();
});

describe('responses validate against swagger.json', () => {
  it('conversation list', async () => {
    const { status, body } = await api(sim, accountPath(sim, '/conversations?status=all'));
    expect(status).toBe(200);
    expect(body['data']['payload'].length).toBe(25);
    expectValid(responseSchema('/api/v1/accounts/{account_id}/conversations', 'get'), body);
  });

  it('conversation show, for every status', async () => {
    const { body } = await api(sim, accountPath(sim, '/conversations?status=all&page=1'));
    const seen = new Set<string>();
    for (const item of [
      ...body['data']['payload'],
      ...(await api(sim, accountPath(sim, '/conversations?status=all&page=2'))).body['data'][
        'payload'
      ],
    ]) {
      if (seen.has(item.status)) continue;
      seen.add(item.status);
      const shown = await api(sim, accountPath(sim, `/conversations/${item.id}`));
      expect(shown.status).toBe(200);
      expectValid(
        responseSchema('/api/v1/accounts/{account_id}/conversations/{conversation_id}', 'get'),
        shown.body,
      );
    }
    expect([...seen].sort()).toEqual(['open', 'pending', 'resolved', 'snoozed']);
  });

  it('messages list', async () => {
    for (const id of [1, 2, 3, 30]) {
      const { status, body } = await api(sim, accountPath(sim, `/conversations/${id}/messages`));
      expect(status).toBe(200);
      expectValid(
        responseSchema(
          '/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages',
          'get',
        ),
        body,
      );
    }
  });

  it('create message', async () => {
    const { status, body } = await api(sim, accountPath(sim, '/conversations/2/messages'), {
      method: 'POST',
      json: { content: 'Contract check', message_type: 'outgoing', private: false, echo_id: 'e-1' },
    });
    expect(status).toBe(200);
    expectValid(
      responseSchema(
        '/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages',
        'post',
      ),
      body,
    );
  });

  it('contacts list and contact show', async () => {
    const list = await api(sim, accountPath(sim, '/contacts?sort=name&page=1'));
    expect(list.status).toBe(200);
    expectValid(responseSchema('/api/v1/accounts/{account_id}/contacts', 'get'), list.body);
    const shown = await api(sim, accountPath(sim, `/contacts/${list.body['payload'][0].id}`));
    expectValid(responseSchema('/api/v1/accounts/{account_id}/contacts/{id}', 'get'), shown.body);
  });

  it('profile', async () => {
    const { status, body } = await api(sim, '/api/v1/profile');
    expect(status).toBe(200);
    expectValid(responseSchema('/api/v1/profile', 'get'), body);
    expect(body['accounts'].map((a: Json) => a['id'])).toContain(sim.accountId);
  });

  it('a corrected schema still rejects a wrong shape (the validator is not a no-op)', () => {
    const schema = responseSchema('/api/v1/accounts/{account_id}/conversations', 'get');
    const validate = ajv.compile(schema);
    expect(validate({ data: { meta: {}, payload: [{ id: 'x', status: 'closed' }] } })).toBe(false);
  });
});

describe('responses have the key layout of the reference examples', () => {
  const conversationsExample = readReference<Json>('examples/conversations-list.json');
  const messagesExample = readReference<Json>('examples/messages-list.json');
  const contactsExample = readReference<Json>('examples/contacts-list.json');
  const assignedExample = conversationsExample['data']['payload'][1] as Json;
  const unassignedExample = conversationsExample['data']['payload'][0] as Json;

  async function allConversations(): Promise<Json[]> {
    const first = await api(sim, accountPath(sim, '/conversations?status=all&page=1'));
    const second = await api(sim, accountPath(sim, '/conversations?status=all&page=2'));
    return [...first.body['data']['payload'], ...second.body['data']['payload']];
  }

  it('conversation list envelope and items', async () => {
    const { body } = await api(sim, accountPath(sim, '/conversations?status=all'));
    expectSameKeys(body, conversationsExample);
    expectSameKeys(body['data'], conversationsExample['data']);
    expectSameKeys(body['data']['meta'], conversationsExample['data']['meta']);
    const items = await allConversations();
    const assigned = items.find((c) => c.meta.assignee && !c.meta.team)!;
    const unassigned = items.find((c) => !c.meta.assignee && !c.meta.team)!;
    expectSameKeys(assigned, assignedExample);
    expectSameKeys(assigned.meta, assignedExample['meta']);
    expectSameKeys(assigned.meta.assignee, assignedExample['meta']['assignee']);
    expectSameKeys(unassigned.meta, unassignedExample['meta']);
    expectSameKeys(assigned.meta.sender, assignedExample['meta']['sender']);
    expect(typeof assigned.updated_at).toBe('number');
    expect(Number.isInteger(assigned.created_at)).toBe(true);
  });

  it('push-event messages inside conversations', async () => {
    const items = await allConversations();
    const withContactMessage = items.find(
      (c) => c.messages[0]?.sender?.type === 'contact' && !c.messages[0].attachments,
    )!;
    expectSameKeys(withContactMessage.messages[0], unassignedExample['messages'][0]);
    expectSameKeys(
      withContactMessage.messages[0].sender,
      unassignedExample['messages'][0]['sender'],
    );
    const withActivity = items.find((c) => c.messages[0]?.message_type === 2)!;
    expectSameKeys(
      withActivity.messages[0],
      conversationsExample['data']['payload'][2]['messages'][0],
    );
    expect(typeof withActivity.messages[0].updated_at).toBe('string');
  });

  it('REST messages: contact, user, private note, activity, attachment', async () => {
    const messages: Json[] = [];
    for (let id = 1; id <= 30; id++)
      messages.push(
        ...(await api(sim, accountPath(sim, `/conversations/${id}/messages`))).body['payload'],
      );
    const sample = messagesExample['payload'] as Json[];
    const plainIncoming = messages.find(
      (m) => m.message_type === 0 && !m.attachments && m.content_type === 'text',
    )!;
    expectSameKeys(plainIncoming, sample[0]!);
    expectSameKeys(
      messages.find((m) => m.message_type === 2)!,
      sample[1]!,
    );
    const note = messages.find((m) => m.private === true)!;
    expectSameKeys(note, sample[2]!);
    expectSameKeys(note.sender, sample[2]!['sender']);
    const withAttachment = messages.find((m) => m.message_type === 0 && m.attachments)!;
    expectSameKeys(withAttachment, sample[4]!);
    expectSameKeys(withAttachment.attachments[0], sample[4]!['attachments'][0]);
    for (const m of messages) {
      expect([0, 1, 2, 3]).toContain(m.message_type);
      expect(m).not.toHaveProperty('account_id');
      expect(m).not.toHaveProperty('updated_at');
    }
  });

  it('messages meta', async () => {
    const items = await allConversations();
    const assigned = items.find((c) => c.meta.assignee)!;
    const { body } = await api(sim, accountPath(sim, `/conversations/${assigned.id}/messages`));
    expectSameKeys(body, messagesExample);
    expectSameKeys(body['meta'], messagesExample['meta']);
    expectSameKeys(body['meta']['contact'], messagesExample['meta']['contact']);
    expectSameKeys(body['meta']['assignee'], messagesExample['meta']['assignee']);
  });

  it('contacts list', async () => {
    const { body } = await api(sim, accountPath(sim, '/contacts?sort=-created_at&page=1'));
    expectSameKeys(body['meta'], contactsExample['meta']);
    const withActivity = (body['payload'] as Json[]).find(
      (c) => 'last_activity_at' in c && c['contact_inboxes'].length > 0,
    )!;
    expectSameKeys(withActivity, contactsExample['payload'][0]);
    expectSameKeys(
      withActivity['contact_inboxes'][0],
      contactsExample['payload'][0]['contact_inboxes'][0],
    );
    expectSameKeys(
      withActivity['contact_inboxes'][0]['inbox'],
      contactsExample['payload'][0]['contact_inboxes'][0]['inbox'],
    );
  });
});
