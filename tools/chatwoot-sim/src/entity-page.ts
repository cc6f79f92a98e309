// Shared with the Linear and Attio simulators through @cairn/studio (which builds on this package).

/**
 * The page a simulator serves at an entity's web link (an issue's `url`, a record's `web_url`,
 * a conversation in the agent app) when started for the demo: proof the link leads somewhere.
 */
export function entityPage(service: string, title: string, text: string): string {
  const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)} · ${esc(service)} (simulated)</title><h1>${esc(title)}</h1><p>${esc(text)}</p>\n`;
}
