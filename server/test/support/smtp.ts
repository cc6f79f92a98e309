import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on loopback that keeps what it receives, for tests of the mail Cairn sends
 * (invitations, digests, outbound email). `rejectRecipient` makes RCPT TO fail with 550.
 */
export async function startTestSmtp(): Promise<{
  url: string;
  received: ReceivedMail[];
  rejectRecipient: (address: string | null) => void;
  close: () => Promise<void>;
}> {
  const received: ReceivedMail[] = [];
  let rejected: string | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === rejected)
        return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    rejectRecipient: (address) => {
      rejected = address;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
