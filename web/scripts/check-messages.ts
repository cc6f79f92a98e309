/**
 * The catalogue check (`npm run check:messages -w web`, part of `npm run lint`): every locale has
 * exactly the English keys, no empty text, the same ICU arguments (name and kind) and tags as the
 * English message, and every plural covers the categories its language needs (Russian: one, few,
 * many, other). Checks the web catalogues (web/messages) and the server's (server/src/i18n).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

export interface Problem {
  locale: string;
  key: string;
  kind: 'missing' | 'extra' | 'empty' | 'not_text' | 'syntax' | 'placeholders' | 'plural_forms';
  detail?: string;
}

type Catalogue = Record<string, unknown>;

function flatten(node: unknown, prefix = '', out = new Map<string, unknown>()) {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    for (const [key, value] of Object.entries(node)) {
      flatten(value, prefix ? `${prefix}.${key}` : key, out);
    }
  } else {
    out.set(prefix, node);
  }
  return out;
}

const KIND: Partial<Record<TYPE, string>> = {
  [TYPE.argument]: 'text',
  [TYPE.number]: 'number',
  [TYPE.date]: 'date',
  [TYPE.time]: 'time',
  [TYPE.select]: 'select',
  [TYPE.plural]: 'plural',
  [TYPE.tag]: 'tag',
};

interface Shape {
  /** `name:kind` of every argument and tag, e.g. `count:plural`, `code:tag`. */
  placeholders: Set<string>;
  /** The categories each plural argument offers (exact `=n` selectors aside). */
  plurals: { name: string; categories: Set<string> }[];
}

function shapeOf(
  elements: MessageFormatElement[],
  shape: Shape = { placeholders: new Set(), plurals: [] },
) {
  for (const element of elements) {
    const kind = KIND[element.type];
    if (kind && 'value' in element && typeof element.value === 'string') {
      shape.placeholders.add(`${element.value}:${kind}`);
    }
    if (element.type === TYPE.plural && !element.pluralType?.startsWith('ordinal')) {
      shape.plurals.push({
        name: element.value,
        categories: new Set(Object.keys(element.options).filter((o) => !o.startsWith('='))),
      });
    }
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      for (const option of Object.values(element.options)) shapeOf(option.value, shape);
    }
    if (element.type === TYPE.tag) shapeOf(element.children, shape);
  }
  return shape;
}

const sameSet = (a: Set<string>, b: Set<string>) =>
  a.size === b.size && [...a].every((x) => b.has(x));

/** Problems of `catalogues` (locale → nested messages) measured against `reference`. */
export function checkCatalogues(
  catalogues: Record<string, Catalogue>,
  reference = 'en',
): Problem[] {
  const problems: Problem[] = [];
  const flat = Object.fromEntries(
    Object.entries(catalogues).map(([locale, catalogue]) => [locale, flatten(catalogue)]),
  );
  const shapes = new Map<string, Shape>();
  const shapeIn = (locale: string, key: string, text: string): Shape | null => {
    try {
      return shapeOf(parse(text, { requiresOtherClause: true }));
    } catch (error) {
      problems.push({ locale, key, kind: 'syntax', detail: (error as Error).message });
      return null;
    }
  };
  const referenceFlat = flat[reference];
  if (!referenceFlat) throw new Error(`no ${reference} catalogue`);
  for (const [locale, messages] of Object.entries(flat)) {
    const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    for (const key of referenceFlat.keys()) {
      if (!messages.has(key)) problems.push({ locale, key, kind: 'missing' });
    }
    for (const [key, text] of messages) {
      if (!referenceFlat.has(key)) {
        problems.push({ locale, key, kind: 'extra' });
        continue;
      }
      if (typeof text !== 'string') {
        problems.push({ locale, key, kind: 'not_text' });
        continue;
      }
      if (text.trim() === '') {
        problems.push({ locale, key, kind: 'empty' });
        continue;
      }
      const shape = shapeIn(locale, key, text);
      if (!shape) continue;
      if (locale === reference) shapes.set(key, shape);
      for (const plural of shape.plurals) {
        const lacking = needed.filter((category) => !plural.categories.has(category));
        if (lacking.length > 0) {
          problems.push({
            locale,
            key,
            kind: 'plural_forms',
            detail: `{${plural.name}} lacks ${lacking.join(', ')}`,
          });
        }
      }
    }
  }
  for (const [locale, messages] of Object.entries(flat)) {
    if (locale === reference) continue;
    for (const [key, text] of messages) {
      const expected = shapes.get(key);
      if (!expected || typeof text !== 'string' || text.trim() === '') continue;
      let actual: Shape;
      try {
        actual = shapeOf(parse(text));
      } catch {
        continue; // reported above
      }
      if (!sameSet(expected.placeholders, actual.placeholders)) {
        problems.push({
          locale,
          key,
          kind: 'placeholders',
          detail: `${reference} has {${[...expected.placeholders].sort().join(', ')}}, ${locale} has {${[...actual.placeholders].sort().join(', ')}}`,
        });
      }
    }
  }
  return problems;
}

/** Reads every `<locale>.json` of a folder. */
export function readCatalogues(dir: string): Record<string, Catalogue> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => [
        path.basename(file, '.json'),
        JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Catalogue,
      ]),
  );
}

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOGUE_DIRS = [
  path.join(webDir, 'messages'),
  path.resolve(webDir, '../server/src/i18n/messages'),
];

function main() {
  let failed = false;
  for (const dir of CATALOGUE_DIRS) {
    const catalogues = readCatalogues(dir);
    const problems = checkCatalogues(catalogues);
    const where = path.relative(process.cwd(), dir) || '.';
    if (problems.length === 0) {
      console.log(`${where}: ${Object.keys(catalogues).sort().join(', ')} agree`);
      continue;
    }
    failed = true;
    for (const p of problems) {
      console.error(
        `${where}/${p.locale}.json ${p.key}: ${p.kind}${p.detail ? ` (${p.detail})` : ''}`,
      );
    }
  }
  if (failed) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
