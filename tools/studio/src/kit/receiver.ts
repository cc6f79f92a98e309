// A webhook receiver for tests: a loopback HTTP server that keeps every delivery with its raw body
// and headers, the way a real receiver must see them to verify signatures.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** Deliveries in the order the simulator sent them (arrival order is not guaranteed). */
  inOrder(deliveryIds: string[], header: string): ReceivedDelivery[];
  clear(): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/webhooks'): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = {};
      }
      received.push({ headers: request.headers, raw, body });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    inOrder(deliveryIds, header) {
      const order = new Map(deliveryIds.map((id, i) => [id, i]));
      return [...received].sort(
        (a, b) =>
          (order.get(String(a.headers[header])) ?? 0) - (order.get(String(b.headers[header])) ?? 0),
      );
    },
    clear() {
      received.length = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
