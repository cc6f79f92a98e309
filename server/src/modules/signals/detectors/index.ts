/**
 * Signal detectors: pure functions from normalized rows to signals with evidence
 * (docs/signals.md). `runDetectors` is the one entry point callers need; the single detectors
 * are exported for tests and for callers that run one kind.
 */
export { runDetectors, type DetectorBatch } from './run-detectors.js';
export { detectAwaitingReply, AWAITING_REPLY_VERSION } from './awaiting-reply.js';
export { detectCommitments, COMMITMENT_VERSION } from './commitment.js';
export { detectClientDeadlines, CLIENT_DEADLINE_VERSION } from './client-deadline.js';
export { detectPayments, PAYMENT_VERSION } from './payment.js';
export { detectRisks, sentimentScore, RISK_VERSION } from './risk.js';
export {
  detectStalledConversation,
  detectStalledDeal,
  detectStalledIssue,
  detectStalledTask,
  STALLED_SUBJECT_PREFIX,
  STALLED_VERSION,
} from './stalled.js';
export { detectorContext, type DetectorContext } from './context.js';
export { DEFAULT_SIGNAL_SETTINGS, withDefaults } from './settings.js';
export { conversationViewFromRows, messageViewFromRow } from './views.js';
export * from './types.js';
