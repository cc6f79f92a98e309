import { Fragment } from 'react';

/**
 * Renders a search snippet whose matches the API wraps in `[[` and `]]`. Every part becomes a React
 * text node, so markup inside a message (say `<img onerror=…>`) is displayed, never executed.
 */
export function splitHighlights(snippet: string): { text: string; marked: boolean }[] {
  const parts: { text: string; marked: boolean }[] = [];
  let rest = snippet;
  while (rest.length > 0) {
    const open = rest.indexOf('[[');
    const close = open === -1 ? -1 : rest.indexOf(']]', open + 2);
    if (open === -1 || close === -1) {
      parts.push({ text: rest, marked: false });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open), marked: false });
    parts.push({ text: rest.slice(open + 2, close), marked: true });
    rest = rest.slice(close + 2);
  }
  return parts;
}

export function HighlightedSnippet({ snippet }: { snippet: string }) {
  return (
    <>
      {splitHighlights(snippet).map((part, i) =>
        part.marked ? <mark key={i}>{part.text}</mark> : <Fragment key={i}>{part.text}</Fragment>,
      )}
    </>
  );
}
