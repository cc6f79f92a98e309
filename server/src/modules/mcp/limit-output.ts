/**
 * Caps a tool result at MCP_MAX_RESULT_CHARS (issue 20, item 2): a list that would pass the cap
 * loses its last items, and the result says so, so an assistant knows to narrow the question
 * rather than believe it saw everything. The cap is on the structured result's JSON; the short
 * text rendering is built from what is kept.
 */
export interface Capped {
  truncated: boolean;
  /** Set when items were dropped: how many, and what to do about it. */
  note: string | null;
}

export function capList<T>(
  items: T[],
  fixed: unknown,
  maxChars: number,
): { kept: T[]; capped: Capped } {
  // The rest of the result plus some room for the note and the text rendering's framing.
  let budget = maxChars - JSON.stringify(fixed ?? null).length - 400;
  const kept: T[] = [];
  for (const item of items) {
    // The text rendering repeats each item's quote, so an item counts about twice.
    const size = JSON.stringify(item).length * 2 + 2;
    if (size > budget) break;
    budget -= size;
    kept.push(item);
  }
  const dropped = items.length - kept.length;
  return {
    kept,
    capped: {
      truncated: dropped > 0,
      note:
        dropped > 0
          ? `${dropped} of ${items.length} items left out: the result reached the server's limit of ${maxChars} characters (MCP_MAX_RESULT_CHARS). Ask for fewer or narrow the query.`
          : null,
    },
  };
}

/** Shortens one long text for the text rendering; the structured result keeps it whole. */
export const preview = (text: string, max = 300) =>
  text.length > max ? `${text.slice(0, max)}…` : text;
