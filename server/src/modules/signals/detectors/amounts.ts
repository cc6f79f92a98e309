/**
 * Money in Russian and English text: "120 000 ₽", "120000 руб.", "45 тыс. р.", "$2,500",
 * "€1.200,50", "3 000 USD", "EUR 1 200". Thousands may be grouped by spaces (also no-break and
 * thin spaces), commas or dots; a final group of one or two digits after `,` or `.` is cents.
 */
export interface Money {
  amount: number;
  currency: 'RUB' | 'USD' | 'EUR';
  start: number;
  end: number;
}

const NUM = String.raw`(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d{1,3}(?:[,.]\d{3})+|\d+)(?:[.,]\d{1,2})?`;
const MULT = String.raw`(?:\s?(?:тыс\.?|тысяч[аи]?|млн\.?|миллион\p{L}*|k|m)(?![\p{L}]))?`;
const SYMBOL = String.raw`[$€₽]`;
const WORD_AFTER = String.raw`(?:₽|руб\.?|рублей|рубля|рубль|р\.|rub|usd|eur|евро|долларов|доллара|доллар|dollars|euros|[$€])`;
const MONEY = new RegExp(
  String.raw`(?<![\p{L}\d])(?:(${SYMBOL})\s?(${NUM})(${MULT})|(${NUM})(${MULT})\s?(${WORD_AFTER})(?![\p{L}])|(usd|eur|rub)\s?(${NUM})(${MULT}))`,
  'giu',
);

function currencyOf(token: string): Money['currency'] {
  const t = token.toLowerCase();
  if (t === '$' || t.startsWith('usd') || t.startsWith('доллар') || t.startsWith('dollar'))
    return 'USD';
  if (t === '€' || t.startsWith('eur') || t === 'евро') return 'EUR';
  return 'RUB';
}

function numberOf(text: string): number {
  let s = text.replace(/[ \u00a0\u202f]/g, '');
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  const last = Math.max(lastComma, lastDot);
  if (last >= 0 && s.length - last - 1 <= 2) {
    // The last separator is a decimal point; every earlier one groups thousands.
    s = s.slice(0, last).replace(/[.,]/g, '') + '.' + s.slice(last + 1);
  } else {
    s = s.replace(/[.,]/g, '');
  }
  return Number(s);
}

function multiplierOf(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === '') return 1;
  if (t.startsWith('тыс') || t === 'k') return 1_000;
  return 1_000_000;
}

export function findMoney(text: string): Money[] {
  const found: Money[] = [];
  MONEY.lastIndex = 0;
  for (let m = MONEY.exec(text); m; m = MONEY.exec(text)) {
    const [symbol, num, mult] = m[1]
      ? [m[1], m[2]!, m[3] ?? '']
      : m[4]
        ? [m[6]!, m[4], m[5] ?? '']
        : [m[7]!, m[8]!, m[9] ?? ''];
    const amount = Math.round(numberOf(num) * multiplierOf(mult) * 100) / 100;
    if (!(amount > 0)) continue;
    found.push({
      amount,
      currency: currencyOf(symbol),
      start: m.index,
      end: m.index + m[0].length,
    });
  }
  return found;
}
