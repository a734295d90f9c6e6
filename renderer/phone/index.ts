/** The sip.js side of the phone, framework-free: the UI keeps IDs and plain snapshots only. */
export { createPhone } from './phone';
export type { CallMediaStats, PhoneWithDiagnostics } from './phone';
export { decideInbound, decideOutbound, dialTarget, inboundHandling, failOpenDecision } from './interception';
export type { InboundDecision, InboundHandling, OutboundDecision } from './interception';
export type * from './types';
export {
  blockedCallIsLogged,
  blockedDialNotice,
  blockedReason,
  historyForBlocked,
  historyForCall,
  reportForAllowed,
  reportForBlocked,
  verificationOf,
} from './call-records';
