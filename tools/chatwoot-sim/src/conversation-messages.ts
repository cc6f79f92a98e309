// Rebuilds one conversation's generated messages from (seed, conversation index) on demand.
// Nothing here is stored: the caller caches a few recent conversations and keeps overrides apart.
import {
  CSAT_PROMPT,
  GREETING,
  TOPICS,
  writeMessage,
  type Stage,
  type TalkContext,
} from './corpus.js';
import { rngFor, type Rng } from './random.js';
import { findAgent, findContact, gapBefore, type ConversationRecord, type World } from './world.js';

/** 0 incoming, 1 outgoing, 2 activity, 3 template: Chatwoot's integer enum. */
export type MessageType = 0 | 1 | 2 | 3;
export type MessageStatus = 'sent' | 'delivered' | 'read' | 'failed';
export type SenderRef = { kind: 'contact'; id: number } | { kind: 'user'; id: number } | null;

export interface Attachment {
  id: number;
  fileType: 'image' | 'file';
  contentType: string;
  fileName: string;
  fileSize: number;
  width: number | null;
  height: number | null;
}

export interface MessageRecord {
  id: number;
  conversationIndex: number;
  messageType: MessageType;
  private: boolean;
  content: string | null;
  contentType: string;
  contentAttributes: Record<string, unknown>;
  createdAt: number;
  updatedAtMs: number;
  status: MessageStatus;
  sourceId: string | null;
  sender: SenderRef;
  attachments: Attachment[];
  /** Only on the object returned by create; Chatwoot does not persist it. */
  echoId?: string;
}

type Slot =
  | { kind: 'incoming' | 'outgoing'; stage: Stage; attachment?: 'image' | 'file' }
  | { kind: 'private'; stage: Stage }
  | { kind: 'activity'; text: string }
  | { kind: 'template'; template: 'greeting' | 'csat' };

const ARC: readonly { kind: 'incoming' | 'outgoing'; stage: Stage }[] = [
  { kind: 'outgoing', stage: 'quote' },
  { kind: 'incoming', stage: 'brief' },
  { kind: 'outgoing', stage: 'concepts' },
  { kind: 'incoming', stage: 'feedback' },
  { kind: 'outgoing', stage: 'revision' },
  { kind: 'incoming', stage: 'deadline_question' },
  { kind: 'outgoing', stage: 'deadline_answer' },
  { kind: 'incoming', stage: 'feedback' },
  { kind: 'outgoing', stage: 'revision' },
  { kind: 'incoming', stage: 'approval' },
  { kind: 'outgoing', stage: 'invoice' },
  { kind: 'incoming', stage: 'payment' },
  { kind: 'outgoing', stage: 'followup' },
];
/** Long conversations loop over revision rounds, as real projects do. */
const LOOP_FROM = 3;

export function activityText(
  kind: 'resolved' | 'open' | 'pending' | 'snoozed',
  actor: string,
): string {
  switch (kind) {
    case 'resolved':
      return `Conversation was marked resolved by ${actor}`;
    case 'open':
      return `Conversation was reopened by ${actor}`;
    case 'pending':
      return `Conversation was marked as pending by ${actor}`;
    case 'snoozed':
      return `Conversation was snoozed by ${actor}`;
  }
}

function plan(rng: Rng, world: World, conversation: ConversationRecord): Slot[] {
  const n = conversation.generatedCount;
  const owner = findAgent(world, 1)!.name;
  const assignee =
    conversation.assigneeId === null ? null : findAgent(world, conversation.assigneeId);
  const head: Slot[] = [{ kind: 'incoming', stage: 'inquiry' }];
  if (n >= 4 && conversation.inboxId === 1 && rng.chance(0.5))
    head.push({ kind: 'template', template: 'greeting' });
  if (assignee && n >= 5) {
    head.push({
      kind: 'activity',
      text:
        assignee.id === 1 || rng.chance(0.4)
          ? `${assignee.name} self-assigned this conversation`
          : `Assigned to ${assignee.name} by ${owner}`,
    });
  }
  const closer = assignee?.name ?? owner;
  const tail: Slot[] = [];
  if (conversation.status === 'resolved') {
    tail.push({ kind: 'activity', text: activityText('resolved', closer) });
    if (n >= 8 && rng.chance(0.5)) tail.push({ kind: 'template', template: 'csat' });
  } else if (conversation.status === 'snoozed' && n >= 3) {
    tail.push({ kind: 'activity', text: activityText('snoozed', closer) });
  }
  const middleLength = n - head.length - tail.length;
  if (middleLength < 0)
    return [...head.slice(0, Math.max(1, n - tail.length)), ...tail].slice(0, n);

  const middle: Slot[] = [];
  let step = 0;
  while (middle.length < middleLength) {
    if (middle.length > 1 && rng.chance(0.12)) {
      middle.push({ kind: 'private', stage: 'note' });
      continue;
    }
    if (middle.length > 2 && rng.chance(0.04)) {
      const actor = assignee?.name ?? owner;
      const topic = TOPICS[conversation.topicIndex]!;
      middle.push({
        kind: 'activity',
        text: rng.chance(0.5)
          ? `${actor} added ${topic.label}`
          : `${actor} set the priority to ${rng.pick(['low', 'medium', 'high', 'urgent'])}`,
      });
      continue;
    }
    const arc =
      ARC[step < ARC.length ? step : LOOP_FROM + ((step - LOOP_FROM) % (ARC.length - LOOP_FROM))]!;
    step++;
    const slot: Slot = { kind: arc.kind, stage: arc.stage };
    if (arc.stage === 'brief' && rng.chance(0.4)) slot.attachment = 'image';
    if ((arc.stage === 'concepts' || arc.stage === 'revision') && rng.chance(0.4))
      slot.attachment = 'file';
    if (arc.stage === 'invoice' && rng.chance(0.6)) slot.attachment = 'file';
    middle.push(slot);
  }
  if (conversation.status === 'resolved' && middleLength >= 2)
    middle[middleLength - 1] = { kind: 'incoming', stage: 'thanks' };
  return [...head, ...middle, ...tail];
}

const IMAGE_NAMES = [
  'references.jpg',
  'moodboard.png',
  'competitors.jpg',
  'old-logo.png',
  'photo-shop.jpg',
];
const FILE_NAMES = [
  'concepts-v1.pdf',
  'layouts-v2.pdf',
  'invoice.pdf',
  'brandbook-draft.pdf',
  'presentation.pdf',
];

/** Builds the generated messages of one conversation, oldest first. */
export function materialiseConversation(
  world: World,
  conversation: ConversationRecord,
): MessageRecord[] {
  const rng = rngFor(world.seedHash, 10, conversation.index);
  const slots = plan(rng, world, conversation);
  const contact = findContact(world, conversation.contactId)!;
  const agentId = conversation.assigneeId ?? 2;
  const agent = findAgent(world, agentId)!;
  const context: TalkContext = {
    language: conversation.language,
    topic: TOPICS[conversation.topicIndex]!,
    clientName: contact.name.includes('-')
      ? conversation.language === 'ru'
        ? 'коллеги'
        : 'there'
      : contact.name.split(' ')[0]!,
    agentName: agent.name.split(' ')[0]!,
    companyName: conversation.companyName,
    amountRubles: rng.int(4, 40) * 5000,
    invoiceNumber: `№${rng.int(100, 999)}-${rng.int(10, 99)}`,
  };
  const timeline = world.timeline;
  const out: MessageRecord[] = [];
  let position = 0;
  for (
    let burst = conversation.firstBurst;
    burst < conversation.firstBurst + conversation.burstCount;
    burst++
  ) {
    let time = timeline.burstStart[burst]!;
    const firstId = timeline.burstFirstId[burst]!;
    const size = timeline.burstSize[burst]!;
    for (let j = 0; j < size; j++) {
      if (j > 0) time += gapBefore(world, burst, j);
      const slot = slots[position++];
      if (!slot) continue;
      out.push(buildMessage(rng, world, conversation, slot, firstId + j, time, context, agentId));
    }
  }
  return out;
}

function buildMessage(
  rng: Rng,
  world: World,
  conversation: ConversationRecord,
  slot: Slot,
  id: number,
  createdAt: number,
  context: TalkContext,
  agentId: number,
): MessageRecord {
  const base: MessageRecord = {
    id,
    conversationIndex: conversation.index,
    messageType: 2,
    private: false,
    content: null,
    contentType: 'text',
    contentAttributes: {},
    createdAt,
    updatedAtMs: createdAt * 1000 + rng.int(0, 999),
    status: 'sent',
    sourceId: null,
    sender: null,
    attachments: [],
  };
  switch (slot.kind) {
    case 'activity':
      return { ...base, content: slot.text };
    case 'template':
      if (slot.template === 'greeting')
        return { ...base, messageType: 3, content: GREETING[conversation.language] };
      return { ...base, messageType: 3, content: CSAT_PROMPT, contentType: 'input_csat' };
    case 'private':
      return {
        ...base,
        messageType: 1,
        private: true,
        content: writeMessage(rng, slot.stage, context),
        sender: { kind: 'user', id: rng.pick([1, 2, 3, 4].filter((a) => a !== agentId)) },
      };
    case 'incoming':
    case 'outgoing': {
      const content = writeMessage(rng, slot.stage, context);
      const incoming = slot.kind === 'incoming';
      const record: MessageRecord = {
        ...base,
        messageType: incoming ? 0 : 1,
        content,
        sender: incoming
          ? { kind: 'contact', id: conversation.contactId }
          : { kind: 'user', id: agentId },
      };
      if (slot.attachment) record.attachments = [attachmentFor(rng, id, slot.attachment)];
      decorateForChannel(rng, world, conversation, record);
      return record;
    }
  }
}

function attachmentFor(rng: Rng, messageId: number, fileType: 'image' | 'file'): Attachment {
  // At most one attachment per generated message, so the message id is a stable, unique attachment id.
  if (fileType === 'image') {
    return {
      id: messageId,
      fileType,
      contentType: 'image/jpeg',
      fileName: rng.pick(IMAGE_NAMES),
      fileSize: rng.int(80_000, 900_000),
      width: 1600,
      height: 1067,
    };
  }
  return {
    id: messageId,
    fileType,
    contentType: 'application/pdf',
    fileName: rng.pick(FILE_NAMES),
    fileSize: rng.int(300_000, 9_000_000),
    width: null,
    height: null,
  };
}

function decorateForChannel(
  rng: Rng,
  world: World,
  conversation: ConversationRecord,
  record: MessageRecord,
): void {
  const incoming = record.messageType === 0;
  const text = record.content ?? '';
  switch (conversation.inboxId) {
    case 2:
      if (incoming) record.sourceId = String(rng.int(1000, 99_999));
      break;
    case 3:
      if (incoming) {
        const contact = findContact(world, conversation.contactId);
        record.contentType = 'incoming_email';
        record.sourceId = `<${rng.uuid()}@mail.example>`;
        record.contentAttributes = {
          email: {
            subject: String(conversation.additionalAttributes['mail_subject'] ?? ''),
            from: [contact?.email ?? ''],
            to: [`hello@${world.host}`],
            text_content: { full: text, reply: text },
            html_content: { full: `<p>${text}</p>`, reply: `<p>${text}</p>` },
          },
          cc_email: null,
          bcc_email: null,
        };
      } else {
        record.contentAttributes = {
          cc_emails: [],
          bcc_emails: [],
          to_emails: [],
          email: {
            html_content: { full: `<p>${text}</p>\n`, reply: `<p>${text}</p>\n` },
            text_content: { full: text, reply: text },
          },
        };
      }
      break;
    case 4:
      record.sourceId = `wamid.${rng.base58(32)}`;
      if (!incoming)
        record.status = rng.chance(0.02) ? 'failed' : rng.chance(0.7) ? 'read' : 'delivered';
      break;
    case 6:
      if (incoming) record.sourceId = `aWdf${rng.base58(40)}`;
      break;
  }
}
