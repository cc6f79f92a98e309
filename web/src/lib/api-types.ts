/**
 * The response shapes the UI relies on, taken from the TypeBox schemas the server validates its
 * responses with (@cairn/contract), so a server change that breaks the UI fails `tsc` here.
 * Only types are imported: the schemas themselves never reach the browser bundle.
 */
import type { Static } from 'typebox';
import type {
  AuditEventSchema,
  AuditVerifyResponseSchema,
  CompletenessGapSchema,
  CompletenessResponseSchema,
  LinearCompletenessResponseSchema,
  LinearTestConnectionResponseSchema,
  AttioCompletenessResponseSchema,
  AttioTestConnectionResponseSchema,
  ContactSchema,
  ConversationSchema,
  HealthResponseSchema,
  JobRunSchema,
  JobStatusResponseSchema,
  MessageSchema,
  OutboundAttemptSchema,
  OutboundAuditEntrySchema,
  OutboundMessageSchema,
  PolicySchema,
  PreflightCheckSchema,
  PreflightResponseSchema,
  SearchFiltersSchema,
  SearchHitSchema,
  SearchResponseSchema,
  SchedulerResponseSchema,
  TestConnectionResponseSchema,
  TickResponseSchema,
  WorkerRunSchema,
  EvidenceRefSchema,
  EvidenceSearchResponseSchema,
  RenameProjectBodySchema,
  SignalSettingsResponseSchema,
  PortfolioResponseSchema,
} from '@cairn/contract';
import type {
  CreateTokenBody,
  CreateUserBody,
  Me as ContractMe,
  MemberListResponseSchema,
  MemberSchema,
  Organization,
  Person,
  PersonDetail,
  PersonSummary,
  ProjectRole,
  Signal,
  Project,
  SessionSchema,
  Source,
  Token,
  UpdateMeBody,
  User,
  UserWithLinkResponseSchema,
  WorkspaceRole,
} from '@cairn/contract';
export type { Organization, Person, PersonDetail, PersonSummary, Project, Signal, Source };
export type { UpdateMeBody };
export type { CreateTokenBody, CreateUserBody, ProjectRole, Token, User, WorkspaceRole };
export type {
  AskAnswer,
  AskEvent,
  AskEvidence,
  AskFeedback,
  AskFeedbackBody,
  AskHeading,
  AskRecentItem,
  AskSentence,
  AskTotals,
  SearchGroup,
  SearchSender,
  SearchSource,
} from '@cairn/contract';
// The one request body the contract names only as a schema.
export type RenameProjectBody = Static<typeof RenameProjectBodySchema>;
export type Member = Static<typeof MemberSchema>;
export type {
  PortfolioProject,
  PortfolioSignal,
  SignalSettingsDto as SignalSettings,
} from '@cairn/contract';
export type SignalSettingsBody = Omit<
  Static<typeof SignalSettingsResponseSchema>,
  'ok' | 'request_id'
>;
export type PortfolioBody = Omit<Static<typeof PortfolioResponseSchema>, 'ok' | 'request_id'>;
export type MemberList = Static<typeof MemberListResponseSchema>;
export type SessionInfo = Static<typeof SessionSchema>;
/** A user with their fresh one-time link (shown once) and what became of its email. */
export type UserWithLink = Static<typeof UserWithLinkResponseSchema>;
export type Me = ContractMe & { demo?: boolean };
export type Health = Static<typeof HealthResponseSchema>;

export type Completeness = Static<typeof CompletenessResponseSchema>;
export type CompletenessGap = Static<typeof CompletenessGapSchema>;
export type TestConnection = Static<typeof TestConnectionResponseSchema>;
export type LinearCompleteness = Static<typeof LinearCompletenessResponseSchema>;
export type LinearTestConnection = Static<typeof LinearTestConnectionResponseSchema>;
export type AttioCompleteness = Static<typeof AttioCompletenessResponseSchema>;
export type AttioTestConnection = Static<typeof AttioTestConnectionResponseSchema>;

export type JobRun = Static<typeof JobRunSchema>;
export type JobsStatus = Static<typeof JobStatusResponseSchema>;
export type ScheduledJob = Static<typeof SchedulerResponseSchema>['jobs'][number];
export type TickResult = Static<typeof TickResponseSchema>;
export type WorkerRun = Static<typeof WorkerRunSchema>;

export type SearchFilters = Static<typeof SearchFiltersSchema>;
export type SearchHit = Static<typeof SearchHitSchema>;
export type SearchResult = Static<typeof SearchResponseSchema>;
export type EvidenceSearchResult = Static<typeof EvidenceSearchResponseSchema>;

export type Contact = Static<typeof ContactSchema>;
export type Conversation = Static<typeof ConversationSchema>;
export type Message = Static<typeof MessageSchema>;

/** Evidence as stored on drafts and audit rows; audit rows may carry any source name. */
export type EvidenceRef = Static<typeof EvidenceRefSchema>;
export interface LooseEvidenceRef {
  source: string;
  ref: string;
  snippet?: string;
  meta?: Record<string, unknown>;
}

export type OutboundMessage = Static<typeof OutboundMessageSchema>;
export type OutboundStatus = OutboundMessage['status'];
export type OutboundAttempt = Static<typeof OutboundAttemptSchema>;
export type OutboundAuditEntry = Static<typeof OutboundAuditEntrySchema>;
export type ContactPolicy = Static<typeof PolicySchema>;
export type Preflight = Static<typeof PreflightResponseSchema>;
export type PreflightCheck = Static<typeof PreflightCheckSchema>;

export type AuditEvent = Static<typeof AuditEventSchema>;
export type AuditVerify = Static<typeof AuditVerifyResponseSchema>;
