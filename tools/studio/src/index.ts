// @cairn/studio: one generated design studio shared by the Chatwoot, Linear and Attio simulators,
// its linking truth, and the plumbing the Linear and Attio simulators share (faults, deliveries).
export { buildStudio, resolveStudioSize, STUDIO_PRESETS } from './studio/build-studio.js';
export { studioTruth } from './studio/truth.js';
export type {
  StudioTruth,
  TruthLink,
  TruthOrganization,
  TruthPerson,
  TruthStaff,
  SourceKind,
  MatchedOn,
} from './studio/truth.js';
export type {
  PersonTrap,
  Studio,
  StudioCompany,
  StudioEmail,
  StudioOptions,
  StudioPerson,
  StudioPhone,
  StudioSize,
  StudioSizeName,
  StudioStaff,
} from './studio/types.js';
export { formatPhone, phoneOf, type PhoneNumber, type PhoneStyle } from './studio/phones.js';
export { FREE_MAIL_DOMAINS, translit } from './studio/names.js';
export {
  FaultBook,
  Hangs,
  type ActiveFault,
  type FaultSpec,
  type RequestFacts,
} from './kit/faults.js';
export {
  DeliveryQueue,
  RequestLog,
  type RequestLogEntry,
  type WebhookDelivery,
} from './kit/deliveries.js';
export { halfBody, listen, nginxPage, sendTruncated } from './kit/http.js';
export { parseSimCli, stopOnSignals, type SimCliArgs } from './kit/cli.js';
export {
  resolveSimSize,
  webhookConfigBody,
  type ResolvedSimSize,
  type SimSize,
} from './kit/presets.js';
export { ndjson, registerCommonControlRoutes, type CommonControl } from './kit/control-routes.js';
export {
  startWebhookReceiver,
  type ReceivedDelivery,
  type WebhookReceiver,
} from './kit/receiver.js';
export {
  DEFAULT_HISTORY_END,
  entityPage,
  hashString,
  mix,
  pluralRu,
  Rng,
  rngFor,
  unit,
  type Language,
  type Topic,
} from '@cairn/chatwoot-sim';
