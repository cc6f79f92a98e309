import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: repoRoot });

/** The rule's findings for `body` as a component under web/src. */
async function literalsIn(body: string): Promise<string[]> {
  const code = `import { useTranslations } from 'next-intl';\n\nexport function Probe() {\n  const t = useTranslations('common');\n  const tNav = useTranslations('nav');\n  return ${body};\n}\n`;
  const [result] = await eslint.lintText(code, {
    filePath: path.join(repoRoot, 'web/src/components/literal-probe.tsx'),
  });
  return result!.messages
    .filter((m) => m.ruleId === 'i18next/no-literal-string')
    .map((m) => m.message);
}

describe('the lint rule against words written into components', () => {
  it('fails on text written in JSX', async () => {
    expect(await literalsIn('<p>Hello there</p>')).toHaveLength(1);
    expect(await literalsIn('<p>{"Hello there"}</p>')).toHaveLength(1);
    expect(await literalsIn('<p>{ok ? "Saved" : t("retry")}</p>')).toHaveLength(1);
    expect(await literalsIn('<p>{`Saved ${t("retry")}`}</p>')).toHaveLength(1);
  });

  it('fails on words in attributes a person reads or hears', async () => {
    for (const attribute of ['aria-label', 'title', 'placeholder', 'alt', 'label']) {
      expect(await literalsIn(`<Thing ${attribute}="Close the panel" />`), attribute).toHaveLength(
        1,
      );
    }
  });

  it('lets through catalogue text, punctuation, the product name and code-valued attributes', async () => {
    expect(
      await literalsIn(
        '<a href="/search" className="flex gap-1" data-testid="x" aria-label={t("close")}>' +
          '<span aria-hidden>◭</span> <span>Cairn</span> — {t.rich("requestId", { id: "1", code: (c) => <b>{c}</b> })} · {tNav("search")} #1' +
          '</a>',
      ),
    ).toEqual([]);
  });
});
