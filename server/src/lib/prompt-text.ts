/**
 * Client text placed inside the `<evidence …>` elements of a language-model prompt (Ask's
 * rag/ask/build-prompt.ts, the signals `llm` detector): escaped like XML text and attribute
 * values, so no message can close its element, open another or pose as an attribute, and the
 * model reads it as quoted data, never as instructions.
 */
export function escapePromptText(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
