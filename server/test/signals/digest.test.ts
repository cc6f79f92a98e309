import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemMailer } from '../../src/lib/mail.js';
import { digestHandle, sendDailyDigests } from '../../src/modules/signals/digest.js';
import { runSignalsForProject } from '../../src/modules/signals/run-signals.js';
import { useTestApp } from '../support/app.js';
import { createProject, signIn } from '../support/factories.js';
import { startTestSmtp } from '../support/smtp.js';
import { memberSession } from '../support/team.js';
import { createConversation } from '../rag/factories.js';

const ctx = useTestApp();
let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
beforeAll(async () => {
  smtp = await startTestSmtp();
});
afterAll(async () => smtp?.close());

const mailer = () =>
  createSystemMailer({ smtpUrl: smtp.url, from: 'Cairn <cairn@studio.example>' });

const header = (raw: string, name: string) =>
  new RegExp(`^${name}:\\s*(.+(?:\\r?\\n[ \\t].+)*)`, 'im')
    .exec(raw)?.[1]
    ?.replace(/\r?\n[ \t]+/g, ' ')
    .trim() ?? null;

/** RFC 2047 encoded words, as nodemailer writes a non-ASCII subject. */
const decodeWords = (value: string) =>
  value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_all, kind: string, text: string) =>
    kind.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) =>
              String.fromCharCode(parseInt(hex, 16)),
            ),
          'latin1',
        ).toString('utf8'),
  );

/** A member with an address in a project with one unanswered client message (or none). */
async function memberWithSignals(options: { locale?: 'en' | 'ru'; signals?: boolean } = {}) {
  const owner = await signIn(ctx.app, ctx.database);
  const scope = await createProject(owner);
  if (options.signals ?? true) {
    await createConversation(
      ctx.database,
      { ...scope, accountId: 7 },
      {
        messages: [{ text: 'Could you send the revised logo, please?' }],
      },
    );
    await runSignalsForProject({ database: ctx.database, scope });
  }
  const member = await memberSession(ctx.app, ctx.database, owner, scope.projectId, 'viewer');
  const email = `${member.userId}@client.example`;
  await ctx.database.db
    .updateTable('app_users')
    .set({ email, locale: options.locale ?? 'en' })
    .where('id', '=', member.userId)
    .execute();
  return { userId: member.userId, email };
}

const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));
const digestRow = (userId: string) =>
  ctx.database.db
    .selectFrom('signal_digests')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();

describe('the daily signals digest', () => {
  it('is sent once per user and day under two workers, with a stable Message-ID', async () => {
    const user = await memberWithSignals();
    const now = new Date('2031-03-03T08:00:00Z');
    // Both workers have read the user as due before either claims: the race the claim settles.
    let arrived = 0;
    let release!: () => void;
    const bothListed = new Promise<void>((resolve) => (release = resolve));
    const barrier = async (at: string) => {
      if (at !== 'listed') return;
      if (++arrived === 2) release();
      await bothListed;
    };
    const [a, b] = await Promise.all(
      ['worker-a', 'worker-b'].map((workerId) =>
        sendDailyDigests({
          database: ctx.database,
          mailer: mailer(),
          workerId,
          now,
          checkpoint: barrier,
        }),
      ),
    );
    expect(a!.skipped + b!.skipped).toBeGreaterThanOrEqual(1);
    const mails = mailsTo(user.email);
    expect(mails).toHaveLength(1);
    expect(header(mails[0]!.raw, 'Message-ID')).toBe(
      `<${digestHandle(user.userId, '2031-03-03')}@studio.example>`,
    );
    expect(header(mails[0]!.raw, 'Content-Language')).toBe('en');
    expect((await digestRow(user.userId))?.state).toBe('sent');
    // A later pass the same day sends nothing more.
    await sendDailyDigests({
      database: ctx.database,
      mailer: mailer(),
      workerId: 'worker-a',
      now: new Date('2031-03-03T20:00:00Z'),
    });
    expect(mailsTo(user.email)).toHaveLength(1);
  });

  it('is not sent twice after a crash between the send and its record', async () => {
    const user = await memberWithSignals();
    const now = new Date('2031-04-04T08:00:00Z');
    await sendDailyDigests({
      database: ctx.database,
      mailer: mailer(),
      workerId: 'crashing',
      now,
      checkpoint: (at, userId) => {
        if (at === 'sent' && userId === user.userId) throw new Error('worker killed');
      },
    });
    expect(mailsTo(user.email)).toHaveLength(1);
    expect((await digestRow(user.userId))?.state).toBe('sending');
    // Another worker, soon and much later the same day: no second mail; the claim is marked unknown.
    for (const minutes of [1, 60]) {
      await sendDailyDigests({
        database: ctx.database,
        mailer: mailer(),
        workerId: 'survivor',
        now: new Date(now.getTime() + minutes * 60_000),
      });
    }
    expect(mailsTo(user.email)).toHaveLength(1);
    expect((await digestRow(user.userId))?.state).toBe('unknown');
  });

  it('is not sent at all to a user with no open signals', async () => {
    const user = await memberWithSignals({ signals: false });
    await sendDailyDigests({
      database: ctx.database,
      mailer: mailer(),
      workerId: 'worker-a',
      now: new Date('2031-05-05T08:00:00Z'),
    });
    expect(mailsTo(user.email)).toHaveLength(0);
    expect(await digestRow(user.userId)).toBeUndefined();
  });

  it('is written in the user’s language', async () => {
    const user = await memberWithSignals({ locale: 'ru' });
    await sendDailyDigests({
      database: ctx.database,
      mailer: mailer(),
      workerId: 'worker-a',
      now: new Date('2031-06-06T08:00:00Z'),
    });
    const [mail] = mailsTo(user.email);
    expect(header(mail!.raw, 'Content-Language')).toBe('ru');
    expect(decodeWords(header(mail!.raw, 'Subject')!)).toBe('Cairn: 1 сигнал требует внимания');
  });
});
