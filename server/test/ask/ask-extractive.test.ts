import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { eventsOf, parseEvents, projectsOfChunks, projectWith } from './support.js';

const ctx = useTestApp();

const STUDIO_TALK = [
  {
    contactName: 'Михаил Смирнов',
    messages: [
      {
        text: 'Здравствуйте! Хотим заказать логотип для кофейни. Сколько это стоит и какие сроки?',
      },
      {
        text: 'Предварительная смета: 95 000 ₽, срок две недели. Пришлите, пожалуйста, бриф.',
        senderType: 'User',
      },
      {
        text: 'Отправили счёт №480-52 на 95 000 ₽. После оплаты передадим исходники.',
        senderType: 'User',
      },
      { text: 'Оплатили счёт №480-52, платёжку прикладываю.' },
    ],
  },
  {
    contactName: 'David Lee',
    messages: [
      {
        text: "Invoice №365-46 for $2,700 is attached. Source files follow once it's paid.",
        senderType: 'User',
      },
      { text: 'Invoice №365-46 paid, receipt attached.' },
    ],
  },
];

describe('POST /ask without a language model (extractive)', () => {
  it('streams the extract: started, deltas, a citation and verdict per sentence, then done', async () => {
    const p = await projectWith(ctx, STUDIO_TALK);
    const res = await p.ask({ question: 'Оплачен ли счёт №480-52?' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = parseEvents(res.body);
    expect(events[0]!.event).toBe('answer.started');
    expect(events.at(-1)!.event).toBe('done');
    const [started] = eventsOf(events, 'answer.started');
    expect(started!.mode).toBe('extractive');
    expect(started!.heading).toMatchObject({ code: 'extractive' });
    expect(started!.heading!.text).toMatch(
      /^Extract from \d+ messages? \(no language model configured\)$/,
    );

    const answer = eventsOf(events, 'answer.delta')
      .map((d) => d.text)
      .join('');
    expect(answer).toContain('Оплатили счёт №480-52');
    const verdicts = eventsOf(events, 'sentence.verdict');
    expect(verdicts.length).toBeGreaterThan(0);
    // Each verdict follows its own citations; an extract is quoted, so every sentence holds.
    for (const v of verdicts) {
      expect(answer.slice(v.start, v.end)).toContain(v.text.slice(0, 10));
      expect(v.citations.length).toBeGreaterThan(0);
      expect(v.supported).toBe(true);
    }
    const [done] = eventsOf(events, 'done');
    expect(done).toMatchObject({ mode: 'extractive', support_rate: 1, removed_citations: 0 });
    expect(done!.citations).toBe(eventsOf(events, 'citation').length);

    // The paid invoice is quoted and cited by the number of the message that says so.
    const paid = p.messages[3]!;
    const cited = verdicts.flatMap((v) => v.citations.map((c) => c.chunk_id));
    expect(cited).toContain(paid.chunkId);
  });

  it('answers in JSON with Accept: application/json, and stores the answer for GET /ask/:id', async () => {
    const p = await projectWith(ctx, STUDIO_TALK);
    const res = await p.ask(
      { question: 'What is the amount of invoice №365-46?' },
      'application/json',
    );
    expect(res.statusCode).toBe(200);
    const { answer } = res.json();
    expect(answer.answer).toContain('$2,700');
    expect(answer.totals).toMatchObject({
      support_rate: 1,
      evidence_count: answer.evidence.length,
    });
    expect(answer.evidence.map((e: { n: number }) => e.n)).toEqual(
      answer.evidence.map((_: unknown, i: number) => i + 1),
    );

    const stored = await p.request('GET', `/ask/${answer.id}`);
    expect(stored.statusCode).toBe(200);
    expect(stored.json().answer).toEqual({ ...answer, feedback: null });
  });

  it('numbers the evidence by conversation, in time order within one', async () => {
    const p = await projectWith(ctx, STUDIO_TALK);
    const { answer } = (
      await p.ask({ question: 'счёт invoice оплачен paid' }, 'application/json')
    ).json();
    const evidence = answer.evidence as {
      conversation_global_id: string;
      message_created_at: string;
    }[];
    const order = evidence.map((e) => e.conversation_global_id);
    // Each conversation's items are contiguous...
    expect(new Set(order).size).toBe(order.filter((c, i) => c !== order[i - 1]).length);
    // ...and in time order.
    for (let i = 1; i < evidence.length; i++) {
      if (order[i] === order[i - 1]) {
        expect(evidence[i]!.message_created_at >= evidence[i - 1]!.message_created_at).toBe(true);
      }
    }
  });

  it('says plainly when nothing in the project matches, citing nothing', async () => {
    const p = await projectWith(ctx, STUDIO_TALK);
    const res = await p.ask(
      { question: 'зеленоглазое такси', since: '2030-01-01T00:00:00Z' },
      'application/json',
    );
    expect(res.json().answer).toMatchObject({
      heading: { code: 'no_evidence', evidence_count: 0 },
      answer: '',
      sentences: [],
      totals: { support_rate: null, citations: 0 },
    });
  });

  it('keeps to since and until', async () => {
    const p = await projectWith(ctx, [
      {
        messages: [
          {
            text: 'Счёт №111-11 оплачен в январе полностью.',
            at: new Date('2026-01-10T10:00:00Z'),
          },
          { text: 'Счёт №222-22 оплачен в марте полностью.', at: new Date('2026-03-10T10:00:00Z') },
        ],
      },
    ]);
    const { answer } = (
      await p.ask(
        {
          question: 'Какой счёт оплачен полностью?',
          since: '2026-02-01T00:00:00Z',
          until: '2026-04-01T00:00:00Z',
        },
        'application/json',
      )
    ).json();
    expect(answer.evidence.map((e: { quote: string }) => e.quote)).toEqual([
      'Счёт №222-22 оплачен в марте полностью.',
    ]);
    expect(answer.filters).toEqual({
      since: '2026-02-01T00:00:00Z',
      until: '2026-04-01T00:00:00Z',
    });
  });

  it('refuses bad input with 400 naming the field', async () => {
    const p = await projectWith(ctx, STUDIO_TALK);
    const cases: [unknown, string][] = [
      [{}, 'question'],
      [{ question: '   ' }, 'question'],
      [{ question: 'x'.repeat(2001) }, 'question'],
      [{ question: 'q', source: 'slack' }, 'source'],
      [{ question: 'q', since: 'yesterday' }, 'since'],
      [{ question: 'q', since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'until'],
      [{ question: 'q', extra: 1 }, 'extra'],
    ];
    for (const [payload, field] of cases) {
      const res = await p.ask(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error).toBe('validation_error');
      expect(JSON.stringify(res.json().details.fields), JSON.stringify(payload)).toContain(field);
    }
  });

  it('records feedback per answer and person, lists the caller’s recent questions, and hides other projects’ answers', async () => {
    const a = await projectWith(ctx, STUDIO_TALK);
    const b = await projectWith(ctx, STUDIO_TALK);
    const first = (await a.ask({ question: 'Оплачен ли счёт №480-52?' }, 'application/json')).json()
      .answer;
    const second = (await a.ask({ question: 'Invoice №365-46 amount?' }, 'application/json')).json()
      .answer;

    const given = await a.request('POST', `/ask/${first.id}/feedback`, {
      helpful: false,
      note: ' wrong invoice ',
    });
    expect(given.statusCode).toBe(200);
    expect(given.json().feedback).toMatchObject({ helpful: false, note: 'wrong invoice' });
    const again = await a.request('POST', `/ask/${first.id}/feedback`, { helpful: true });
    expect(again.json().feedback).toMatchObject({ helpful: true, note: null });
    expect((await a.request('GET', `/ask/${first.id}`)).json().answer.feedback).toMatchObject({
      helpful: true,
    });
    expect((await a.request('POST', `/ask/${first.id}/feedback`, { note: 'x' })).statusCode).toBe(
      400,
    );

    const recent = (await a.request('GET', '/ask/recent')).json().items;
    expect(recent.map((r: { id: string }) => r.id)).toEqual([second.id, first.id]);
    expect((await b.request('GET', '/ask/recent')).json().items).toEqual([]);

    // Another project's answer is exactly as missing as a made-up id.
    for (const [method, url, body] of [
      ['GET', `/ask/${first.id}`, undefined],
      ['POST', `/ask/${first.id}/feedback`, { helpful: true }],
    ] as const) {
      const foreign = await b.request(method, url, body);
      const missing = await b.request(
        method,
        url.replace(first.id, '00000000-0000-4000-8000-000000000000'),
        body,
      );
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().error).toBe(missing.json().error);
    }
  });

  it('cites only its own project, with the same content in another project', async () => {
    const a = await projectWith(ctx, STUDIO_TALK);
    const b = await projectWith(ctx, STUDIO_TALK);
    for (const question of [
      'Оплачен ли счёт №480-52?',
      'Invoice №365-46 paid?',
      'логотип для кофейни',
    ]) {
      const { answer } = (await a.ask({ question }, 'application/json')).json();
      const cited = answer.sentences.flatMap((s: { citations: { chunk_id: string }[] }) =>
        s.citations.map((c) => c.chunk_id),
      );
      const given = answer.evidence.map((e: { chunk_id: string }) => e.chunk_id);
      expect(cited.length).toBeGreaterThan(0);
      const owners = await projectsOfChunks(ctx.database, [...cited, ...given]);
      for (const id of [...cited, ...given]) expect(owners.get(id), id).toBe(a.project.projectId);
      expect(b.project.projectId).not.toBe(a.project.projectId);
    }
  });
});
