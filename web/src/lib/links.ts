import type { LooseEvidenceRef } from './api-types';

/** Only http(s) links leave the app: a `javascript:` URL in synced data must never become a link. */
export function safeExternalUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

export function conversationHref(conversationGlobalId: string, messageGlobalId?: string): string {
  const params = new URLSearchParams({ id: conversationGlobalId });
  if (messageGlobalId) params.set('message', messageGlobalId);
  return `/conversations/view?${params.toString()}`;
}

/** Where an evidence reference leads inside Cairn, or null when it has no page of its own. */
export function evidenceHref(ref: LooseEvidenceRef): string | null {
  const meta = (ref.meta ?? {}) as Record<string, unknown>;
  const conversation = meta.conversation_global_id;
  switch (ref.source) {
    case 'cw_conversations':
      return conversationHref(ref.ref);
    case 'cw_messages':
      if (typeof conversation === 'string') return conversationHref(conversation, ref.ref);
      return conversationFromMessageId(ref.ref);
    case 'rag_chunks': {
      const message = meta.message_global_id;
      if (typeof conversation === 'string')
        return conversationHref(conversation, typeof message === 'string' ? message : undefined);
      return typeof message === 'string' ? conversationFromMessageId(message) : null;
    }
    case 'lin_issues':
    case 'lin_comments':
    case 'att_notes':
    case 'att_tasks':
      // The issue or comment in Linear, the note's or task's record in Attio, as the server read it.
      return safeExternalUrl(typeof meta.deep_link === 'string' ? meta.deep_link : null);
    default:
      return safeExternalUrl(ref.ref);
  }
}

/** `cwmsg:<project>:<account>:<message>` carries no conversation id; the thread page finds it. */
function conversationFromMessageId(messageGlobalId: string): string {
  return `/conversations/view?${new URLSearchParams({ message: messageGlobalId }).toString()}`;
}

/** A draft pre-filled with one piece of evidence, carried in the URL so reload keeps it. */
export function draftFromEvidenceHref(input: {
  conversationGlobalId: string;
  messageGlobalId?: string;
  chunkId?: string;
  snippet?: string;
}): string {
  const params = new URLSearchParams({ compose: '1', conversation: input.conversationGlobalId });
  if (input.messageGlobalId) params.set('message', input.messageGlobalId);
  if (input.chunkId) params.set('chunk', input.chunkId);
  if (input.snippet) params.set('snippet', input.snippet.slice(0, 600));
  return `/outbound?${params.toString()}`;
}

export function stripMarkers(snippet: string): string {
  return snippet.replaceAll('[[', '').replaceAll(']]', '');
}
