/**
 * `POST /ask` as a stream of events (the protocol: packages/contract/src/ask.ts). EventSource
 * cannot POST, so this is fetch with the session cookie and CSRF header like every other call
 * (api-client.ts), its body read as Server-Sent Events by `eventsource-parser`. Aborting the
 * signal ends the request, and the server then aborts its model call.
 */
import { createParser } from 'eventsource-parser';
import { API_BASE_URL, ApiError, CSRF_COOKIE_NAME, readCookie, toApiError } from './api-client';
import type { AskEvent } from './api-types';

const EVENT_NAMES = new Set<AskEvent['event']>([
  'answer.started',
  'answer.delta',
  'citation',
  'sentence.verdict',
  'done',
  'error',
]);

export interface AskInput {
  question: string;
  since?: string;
  until?: string;
}

export async function streamAsk(
  input: AskInput,
  onEvent: (event: AskEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    'content-type': 'application/json',
  };
  const csrf = readCookie(CSRF_COOKIE_NAME);
  if (csrf) headers['x-csrf-token'] = csrf;
  let response: Response;
  try {
    response = await fetch(`${API_BASE_URL}/ask`, {
      method: 'POST',
      headers,
      body: JSON.stringify(input),
      credentials: 'include',
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ApiError(0, 'network_error', 'Could not reach Cairn.', null);
  }
  if (!response.ok) throw await toApiError(response);
  if (!response.body) throw new ApiError(0, 'network_error', 'The answer stream was empty.', null);

  const parser = createParser({
    onEvent(message) {
      const name = (message.event ?? 'message') as AskEvent['event'];
      // Heartbeats are comments and never reach here; an unknown event is a newer server's.
      if (!EVENT_NAMES.has(name)) return;
      onEvent({ event: name, data: JSON.parse(message.data) } as AskEvent);
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
}
