/**
 * Stable ids (docs/architecture.md, "Stable ids and evidence references"): the same source object
 * always maps to the same row.
 */
export const contactGlobalId = (projectId: string, accountId: number, contactId: number) =>
  `cwc:${projectId}:${accountId}:${contactId}`;

export const conversationGlobalId = (
  projectId: string,
  accountId: number,
  conversationId: number,
) => `cw:${projectId}:${accountId}:${conversationId}`;

export const messageGlobalId = (projectId: string, accountId: number, messageId: number) =>
  `cwmsg:${projectId}:${accountId}:${messageId}`;

/** The sync_watermarks.source of a Chatwoot account. */
export const watermarkSource = (accountId: number) => `chatwoot:${accountId}`;
