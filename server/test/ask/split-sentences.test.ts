// @module-tag no-database
import { describe, expect, it } from 'vitest';
import { createSentenceStream, splitSentences } from '../../src/modules/rag/ask/split-sentences.js';

const texts = (text: string) => splitSentences(text).map((s) => s.text);

describe('splitting an answer into sentences', () => {
  it('is not fooled by abbreviations, decimals or "№ 12" in Russian', () => {
    expect(
      texts(
        'Смета 2.5 млн, т.е. дороже на 3,5%. Счёт № 12 оплачен [1]. Офис в г. Казань открыт. ' +
          'А. С. Петров согласовал макет [2].',
      ),
    ).toEqual([
      'Смета 2.5 млн, т.е. дороже на 3,5%.',
      'Счёт № 12 оплачен [1].',
      'Офис в г. Казань открыт.',
      'А. С. Петров согласовал макет [2].',
    ]);
  });

  it('is not fooled by "e.g.", "Dr." or prices in English', () => {
    expect(
      texts(
        'Costs are $2,700, e.g. for the logo. Dr. Smith approved it [3]! Was it 3.5 days? Yes.',
      ),
    ).toEqual([
      'Costs are $2,700, e.g. for the logo.',
      'Dr. Smith approved it [3]!',
      'Was it 3.5 days?',
      'Yes.',
    ]);
  });

  it('gives the citation markers after a full stop to the sentence before them', () => {
    const spans = splitSentences('Invoice paid. [1][2] Files sent [3].');
    expect(spans.map((s) => s.text)).toEqual(['Invoice paid. [1][2]', 'Files sent [3].']);
    expect(spans[1]).toMatchObject({ start: 21, end: 36 });
  });

  it('ends a sentence after "и т.д." before a capital, and at line breaks', () => {
    expect(texts('Шрифты, цвета и т.д. Всё готово.\n- первый пункт\n- второй пункт')).toEqual([
      'Шрифты, цвета и т.д.',
      'Всё готово.',
      '- первый пункт',
      '- второй пункт',
    ]);
  });

  it('releases a streamed sentence only once the next one has begun', () => {
    const stream = createSentenceStream();
    const released = ['Счёт оп', 'лачен. ', '[1', '] Цена 2', '.5 млн [2].', ' Ок'].map((d) =>
      stream.push(d).map((s) => s.text),
    );
    expect(released).toEqual([[], [], [], ['Счёт оплачен. [1]'], [], ['Цена 2.5 млн [2].']]);
    expect(stream.end().map((s) => s.text)).toEqual(['Ок']);
  });
});
