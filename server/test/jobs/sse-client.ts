import http from 'node:http';

export interface StreamEvent {
  event: string;
  data: { id: string; status: string; processed: number; total: number | null };
}

export interface EventStreamClient {
  status: number;
  events: StreamEvent[];
  comments: number;
  /** The server said it reports every change from now on (`: listening`). */
  listening: boolean;
  ended: boolean;
  waitFor(predicate: (events: StreamEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves once the stream is listening (see `listening`). */
  untilListening(): Promise<void>;
  close(): void;
}

/** A minimal Server-Sent Events client over real HTTP, collecting every event it receives. */
export function openEventStream(url: string, cookie: string): Promise<EventStreamClient> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      const client: EventStreamClient = {
        status: res.statusCode ?? 0,
        events: [],
        comments: 0,
        listening: false,
        ended: false,
        async waitFor(predicate, timeoutMs = 20_000) {
          const deadline = Date.now() + timeoutMs;
          while (!predicate(client.events)) {
            if (Date.now() > deadline) {
              throw new Error(`timed out waiting; events: ${JSON.stringify(client.events)}`);
            }
            await new Promise((r) => setTimeout(r, 50));
          }
        },
        async untilListening() {
          const deadline = Date.now() + 20_000;
          while (!client.listening) {
            if (Date.now() > deadline) throw new Error('the stream never said it was listening');
            await new Promise((r) => setTimeout(r, 20));
          }
        },
        close: () => request.destroy(),
      };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments++;
            if (line === ': listening') client.listening = true;
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) client.events.push({ event, data: JSON.parse(data) });
        }
      });
      res.on('end', () => (client.ended = true));
      res.on('close', () => (client.ended = true));
      resolve(client);
    });
    request.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
  });
}
