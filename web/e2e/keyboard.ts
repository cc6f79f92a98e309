import type { Page } from 'playwright-core';

// Enough for the longest way from the top of a page (skip link, header, navigation) to its content.
const MAX_TABS = 80;

/**
 * Presses Tab until the focused element's accessible name (aria-label, its label, or its text)
 * matches `name`, and checks the focus is visible there. Keyboard only: nothing is clicked.
 */
export async function tabTo(page: Page, name: string | RegExp): Promise<void> {
  const matches = (text: string) => (typeof name === 'string' ? text === name : name.test(text));
  for (let i = 0; i < MAX_TABS; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const labelled = (element as HTMLInputElement).labels?.[0]?.innerText;
      return {
        name: (element.getAttribute('aria-label') ?? labelled ?? element.innerText ?? '').trim(),
        visible: element.matches(':focus-visible'),
      };
    });
    if (focused && matches(focused.name)) {
      if (!focused.visible) throw new Error(`focus on ${focused.name} is not visible`);
      return;
    }
  }
  throw new Error(`${MAX_TABS} presses of Tab never reached ${String(name)}`);
}
