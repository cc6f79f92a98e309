// @module-tag no-database
import { describe, expect, it } from 'vitest';
import { evidenceRef, prepareText } from '../../../src/modules/signals/detectors/text.js';

describe('a message is matched on its own words only', () => {
  it('blanks quoted lines, the "On … wrote:" block and the signature, keeping offsets', () => {
    const raw =
      'Sounds good, go ahead.\n\nBest regards,\nLucy — urgent: +44 20\n\nOn Mon, 1 Dec 2025 at 10:45, Tom <tom@studio.co> wrote:\n> we will send it by Friday';
    const { own, norm } = prepareText(raw);
    expect(own.length).toBe(raw.length);
    expect(own.trim()).toBe('Sounds good, go ahead.');
    expect(norm).not.toContain('friday');
    expect(norm).not.toContain('urgent');
  });

  it('recognises Russian headers and closings', () => {
    const raw =
      'Ок, принято.\nС уважением,\nЕлена\n\nВт, 9 дек. 2025 г. в 11:30, Студия <hello@kontur.studio>:\n> Пришлём в понедельник';
    expect(prepareText(raw).own.trim()).toBe('Ок, принято.');
    expect(prepareText('Иван Петров написал(а):\n> счёт №12').own.trim()).toBe('');
  });

  it('keeps a message that merely starts with a closing word', () => {
    expect(prepareText('Thanks, we will send it tomorrow').own).toBe(
      'Thanks, we will send it tomorrow',
    );
  });
});

describe('evidence refs', () => {
  it('give offsets into the snippet, also when a long message is cut to a window', () => {
    const text = `${'Вступление. '.repeat(80)}Пришлём макеты до пятницы.${' Хвост.'.repeat(80)}`;
    const start = text.indexOf('Пришлём');
    const ref = evidenceRef({
      source: 'cw_messages',
      ref: 'cwmsg:1',
      text,
      match: { start, end: start + 'Пришлём макеты до пятницы'.length },
    });
    expect(ref.snippet.length).toBeLessThan(text.length);
    expect(ref.snippet.slice(...ref.meta.match!)).toBe('Пришлём макеты до пятницы');
  });
});
