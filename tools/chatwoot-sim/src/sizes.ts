// Size presets. Message counts are targets: each conversation gets a seeded share of the total.

export type SizeName = 'tiny' | 'small' | 'medium' | 'large';

export interface ExplicitSize {
  accounts?: number;
  conversations: number;
  /** Exact count per conversation; wins over totalMessages. */
  messagesPerConversation?: number;
  totalMessages?: number;
}

export interface ResolvedSize {
  accounts: number;
  conversations: number;
  messagesPerConversation: number | null;
  totalMessages: number;
  /** How far back the generated history reaches, in seconds. */
  historySpanSeconds: number;
}

const DAY = 86_400;

const PRESETS: Record<SizeName, ResolvedSize> = {
  tiny: {
    accounts: 1,
    conversations: 30,
    messagesPerConversation: null,
    totalMessages: 300,
    historySpanSeconds: 30 * DAY,
  },
  small: {
    accounts: 1,
    conversations: 250,
    messagesPerConversation: null,
    totalMessages: 5_000,
    historySpanSeconds: 120 * DAY,
  },
  medium: {
    accounts: 1,
    conversations: 2_000,
    messagesPerConversation: null,
    totalMessages: 50_000,
    historySpanSeconds: 240 * DAY,
  },
  large: {
    accounts: 1,
    conversations: 25_000,
    messagesPerConversation: null,
    totalMessages: 1_000_000,
    historySpanSeconds: 365 * DAY,
  },
};

export function resolveSize(size: SizeName | ExplicitSize | undefined): ResolvedSize {
  if (size === undefined) return PRESETS.tiny;
  if (typeof size === 'string') {
    const preset = PRESETS[size];
    if (!preset) throw new Error(`unknown size "${String(size)}" (tiny, small, medium, large)`);
    return preset;
  }
  if (!Number.isInteger(size.conversations) || size.conversations < 0) {
    throw new Error('size.conversations must be a non-negative integer');
  }
  const perConversation = size.messagesPerConversation ?? null;
  const total =
    perConversation !== null
      ? perConversation * size.conversations
      : (size.totalMessages ?? size.conversations * 10);
  return {
    accounts: Math.max(1, size.accounts ?? 1),
    conversations: size.conversations,
    messagesPerConversation: perConversation,
    totalMessages: total,
    historySpanSeconds: total > 100_000 ? 365 * DAY : 60 * DAY,
  };
}
