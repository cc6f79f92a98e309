// @module-tag no-database
import { describe, expect, it } from 'vitest';
import {
  conversationViewFromRows,
  runDetectors,
  type ConversationView,
} from '../../../src/modules/signals/detectors/index.js';
import { conversation, MOSCOW } from './factories.js';

const NOW = '2025-12-12T12:00:00+03:00';

function busy(id: string): ConversationView {
  return conversation(
    [
      [
        'out',
        '2025-12-01T15:20:00+03:00',
        'Направляем счёт №214 на 180 000 ₽. Оплатить нужно до 10 декабря.',
      ],
      ['in', '2025-12-08T10:00:00+03:00', 'Это не то, что мы просили. Сможете исправить до среды?'],
      ['out', '2025-12-08T11:00:00+03:00', 'Поправим и пришлём новую версию в среду.'],
      ['in', '2025-12-11T15:00:00+03:00', 'Новой версии так и нет. Мы разочарованы.'],
    ],
    { id },
  );
}

describe('runDetectors', () => {
  it('finds every kind over a batch, each signal with evidence and a highlight inside its snippet', () => {
    const run = runDetectors({ settings: MOSCOW, now: NOW, conversations: [busy('cw:p:1:1')] });
    expect(new Set(run.signals.map((s) => s.kind))).toEqual(
      new Set(['awaiting_reply', 'commitment', 'client_deadline', 'payment', 'risk']),
    );
    for (const signal of run.signals) {
      expect(signal.evidence_refs.length).toBeGreaterThan(0);
      for (const ref of signal.evidence_refs) {
        if (ref.meta.match) {
          const [start, end] = ref.meta.match;
          expect(start).toBeGreaterThanOrEqual(0);
          expect(end).toBeLessThanOrEqual(ref.snippet.length);
          expect(end).toBeGreaterThan(start);
        }
      }
    }
  });

  it('gives identical output, fingerprints included, for unchanged data in any order', () => {
    const view = busy('cw:p:1:1');
    const first = runDetectors({ settings: MOSCOW, now: NOW, conversations: [view] });
    const shuffled = { ...view, messages: [...view.messages].reverse() };
    const second = runDetectors({ settings: MOSCOW, now: NOW, conversations: [shuffled] });
    expect(second).toEqual(first);
  });

  it('returns identical signals to a later run while no condition crosses a step, so nothing needs writing', () => {
    const view = busy('cw:p:1:1');
    const noon = runDetectors({ settings: MOSCOW, now: NOW, conversations: [view] });
    const later = runDetectors({
      settings: MOSCOW,
      now: '2025-12-12T12:40:00+03:00',
      conversations: [view],
    });
    expect(later.signals).toEqual(noon.signals);
    expect(later.resolutions).toEqual(noon.resolutions);
  });

  it('keeps a fingerprint while the condition holds and only its severity or time changes', () => {
    const view = busy('cw:p:1:1');
    const early = runDetectors({
      settings: MOSCOW,
      now: '2025-12-09T12:00:00+03:00',
      conversations: [view],
    });
    const late = runDetectors({ settings: MOSCOW, now: NOW, conversations: [view] });
    const promise = (run: typeof early) => run.signals.find((s) => s.kind === 'commitment')!;
    expect(promise(early).severity).toBe('info');
    expect(promise(late).severity).toBe('warning');
    expect(promise(late).fingerprint).toBe(promise(early).fingerprint);
  });

  it('gives distinct fingerprints to distinct conditions', () => {
    const run = runDetectors({
      settings: MOSCOW,
      now: NOW,
      conversations: [busy('cw:p:1:1'), busy('cw:p:1:2')],
    });
    const fingerprints = run.signals.map((s) => s.fingerprint);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });

  it('evaluates only the changed conversations on an incremental run', () => {
    const views = [busy('cw:p:1:1'), busy('cw:p:1:2'), busy('cw:p:1:3')];
    const run = runDetectors({
      settings: MOSCOW,
      now: NOW,
      conversations: views,
      changed: new Set(['cw:p:1:2']),
    });
    expect(new Set(run.signals.map((s) => s.subject_key))).toEqual(new Set(['cw:p:1:2']));
    expect(new Set(run.evaluated.map((e) => e.subject_key))).toEqual(new Set(['cw:p:1:2']));
  });

  it('says when to look again: the earliest pending target or due time', () => {
    const view = conversation([['in', '2025-12-12T11:00:00+03:00', 'Когда будут макеты?']]);
    const run = runDetectors({ settings: MOSCOW, now: NOW, conversations: [view] });
    expect(run.signals).toEqual([]);
    expect(run.next_check_at).toBe(new Date('2025-12-12T15:00:00+03:00').toISOString());
  });
});

describe('views from stored Chatwoot rows', () => {
  it('maps message types, private notes, bots, attachments and drops activity and deleted rows', () => {
    const base = { sender_id: 1, source_created_at: '2025-12-01T10:00:00Z' };
    const view = conversationViewFromRows(
      { id: 'cw:p:1:9', status: 'open', contact_global_id: 'cwc:p:1:7', last_activity_at: null },
      { id: 'cwc:p:1:7', name: 'Ирина' },
      [
        {
          ...base,
          id: 'cwmsg:1',
          message_type: 0,
          private: false,
          sender_type: 'Contact',
          content: 'Привет',
          data: {},
        },
        {
          ...base,
          id: 'cwmsg:2',
          message_type: 1,
          private: true,
          sender_type: 'User',
          content: 'note',
          data: {},
        },
        {
          ...base,
          id: 'cwmsg:3',
          message_type: 1,
          private: false,
          sender_type: 'AgentBot',
          content: 'auto',
          data: {},
        },
        {
          ...base,
          id: 'cwmsg:4',
          message_type: 1,
          private: false,
          sender_type: 'User',
          content: '',
          data: { attachments: [{ id: 1 }] },
        },
        {
          ...base,
          id: 'cwmsg:5',
          message_type: 2,
          private: false,
          sender_type: null,
          content: 'Conversation resolved',
          data: {},
        },
        {
          ...base,
          id: 'cwmsg:6',
          message_type: 0,
          private: false,
          sender_type: 'Contact',
          content: '',
          data: { content_attributes: { deleted: true } },
        },
      ],
    );
    expect(view.messages.map((m) => [m.id, m.direction, m.author.kind, m.has_attachments])).toEqual(
      [
        ['cwmsg:1', 'inbound', 'contact', false],
        ['cwmsg:2', 'note', 'user', false],
        ['cwmsg:3', 'outbound', 'bot', false],
        ['cwmsg:4', 'outbound', 'user', true],
      ],
    );
    expect(view.conversation.contact).toMatchObject({ id: 'cwc:p:1:7', name: 'Ирина' });
  });
});
