// @module-tag no-database
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, loadConfig } from '../../src/config.js';

const root = path.resolve(import.meta.dirname, '../../..');
const envExample = readFileSync(path.join(root, '.env.example'), 'utf8');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const variables = Object.keys(ConfigSchema.shape);
const exampleValues = Object.fromEntries(
  envExample
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

describe('configuration docs', () => {
  it('lists every variable in .env.example and no unknown one', () => {
    expect(Object.keys(exampleValues).sort()).toEqual([...variables].sort());
  });

  it('gives in .env.example the defaults the code applies', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exampleValues)) {
      if (value === '') expect(defaults[name], name).toBeUndefined();
      else expect(String(defaults[name]), name).toBe(value);
    }
  });

  it('documents every variable in the README configuration table', () => {
    for (const name of variables) expect(readme, name).toContain(`\`${name}\``);
  });
});
