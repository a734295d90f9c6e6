/**
 * The phone's public, framework-free types. Nothing here is a sip.js object: the UI keeps IDs and these
 * plain snapshots in its stores and calls the phone's methods with IDs.
 */
import type { Line } from '../../shared/contracts/api';
import type { SipAccount } from '../../shared/contracts/ipc';
import type { Decision, DecisionClock } from '../../shared/decision.types';
import type { CallerIdentity } from '../../shared/identity.types';
import type { OrgSettings } from '../../shared/settings';
import type { RuleIndex } from '../../shared/decision';
import type { AudioOutput } from './audio-output';
import type { CallQuality } from './quality-monitor';
import type { DeviceNotice } from './device-switch';

export type { DeviceNotice } from './device-switch';

/** Where the phone reads the org policy at the moment a call is decided (the local copy only, §3.1). */
export interface CallPolicySource {
  getIndex(): RuleIndex;
  getSettings(): OrgSettings;
  /** The org line with this E.164 number (for its announcement mode), or null when unknown. */
  getLine(number: string): Line | null;
  getClock(): DecisionClock;
}

export interface PhoneAudioOptions {
  /** "This call cannot be connected, goodbye." played to blocked callers. */
  inboundClipUrl: string;
  /** "This number has been blocked by your organization." played to the agent. */
  outboundClipUrl: string;
  /** Output device for call audio and the local announcement (HTMLMediaElement.setSinkId), null = default. */
  outputDeviceId?: string | null;
  /** Microphone for calls the agent takes or places, null = default. */
  inputDeviceId?: string | null;
  /** The app's one output path (shared with the ringtone); the phone makes its own when none is given. */
  output?: AudioOutput;
}

export type RegistrationStatus =
  'stopped' | 'connecting' | 'registering' | 'registered' | 'unregistered' | 'failed';

export interface LineSnapshot {
  accountId: string;
  lineNumber: string;
  sipUri: string;
  status: RegistrationStatus;
  /** Why the line is not registered, for people. */
  error: string | null;
  /** When the next reconnection attempt is due (epoch ms), when one is scheduled. */
  reconnectAt: number | null;
}

export type CallState = 'incoming' | 'dialing' | 'ringing' | 'connected' | 'ended';

export interface CallSnapshot {
  id: string;
  accountId: string;
  /** The line's E.164 number. */
  line: string | null;
  direction: 'inbound' | 'outbound';
  /** The remote number in E.164, or null (anonymous, a SIP name, a broken request). */
  number: string | null;
  /** What to show for the remote party: the number as dialled or received, or a display name. */
  remote: string;
  verification: 'passed' | 'failed' | 'none' | null;
  state: CallState;
  muted: boolean;
  held: boolean;
  startedAt: number;
  connectedAt: number | null;
  endedAt: number | null;
  /** Why the call ended: `hangup`, `remote_hangup`, `declined`, `cancelled`, `blocked_by_agent`, `failed: …`. */
  endReason: string | null;
  emergency: boolean;
  /** The SIP Call-ID (for reports: one caller attempt seen by several agents counts once). */
  sipCallId: string | null;
  /** The media path dropped and ICE is being restarted: the card says "Reconnecting…" (SPEC §10.6). */
  reconnecting?: boolean;
  /** Attended transfer (SPEC §10.2), on the held call: the id of its consultation call, or null. */
  consultCallId?: string | null;
  /** Attended transfer, on the consultation call: the id of the held call it consults for, or null. */
  consultFor?: string | null;
  /**
   * A transfer of this call (blind, or attended on the held call) and what became of it so far; null
   * when none was tried. Success ends the call (`endReason: 'transferred'`), so this is never "done".
   */
  transfer?: TransferStatus | null;
  /** Three-way conference (SPEC §10.3): the conference this call is a leg of, or null. */
  conferenceId?: string | null;
  /** Answered calls: the latest quality estimate (SPEC §10.7), once a second; absent before. */
  quality?: CallQuality | null;
}

/** A transfer the agent sent (SPEC §10.2): the REFER is out, or the transferee's call to the target failed. */
export interface TransferStatus {
  kind: 'blind' | 'attended';
  /** The target as the agent typed it (blind) or as the consultation call shows it (attended). */
  target: string;
  /** The target in E.164 when it is a number, for display. */
  number: string | null;
  /** `trying` until the outcome is known; `failed` when it failed or its outcome is unknown. */
  state: 'trying' | 'failed';
  /** The final SIP status that failed it (486…), or null (refused REFER without one, silence, unreadable). */
  statusCode: number | null;
  /** Why it failed, for people, the code included: "busy (486 Busy Here)"; null while trying. */
  detail: string | null;
  startedAt: number;
}

export type BlockedHandling = 'reject' | 'early-media' | 'answer' | 'local-announcement';

export interface BlockedCallEvent {
  /** Our id for this attempt (also used as the report id). */
  id: string;
  sipCallId: string | null;
  direction: 'inbound' | 'outbound';
  accountId: string;
  line: string | null;
  decision: Decision;
  /** The caller as read from the INVITE (inbound), or null. */
  identity: CallerIdentity | null;
  /** What the agent typed (outbound), or null. */
  dialed: string | null;
  handling: BlockedHandling;
  at: number;
}

export interface BlockedCallFinished {
  id: string;
  handling: BlockedHandling;
  /** `announced` (clip played to the end), `rejected`, `caller_left`, `failed: …`. */
  outcome: string;
  /** How long the announcement actually played, in ms (0 when none). */
  playedMs: number;
  endedAt: number;
}

export interface IncomingCallEvent {
  call: CallSnapshot;
  decision: Decision;
  identity: CallerIdentity;
}

export interface TransferRefusedEvent {
  /** The call on which the REFER arrived. */
  callId: string;
  /** The Refer-To target as received (without its URI headers). */
  target: string;
  /** Why, for people. */
  message: string;
}

export interface PhoneEvents {
  onLineChange?(line: LineSnapshot): void;
  /** An allowed inbound call: 180 has been sent; ring now. */
  onIncomingCall?(event: IncomingCallEvent): void;
  onCallChange?(call: CallSnapshot): void;
  /** A blocked call (either direction), as soon as it is decided: for history and reporting. */
  onBlockedCall?(event: BlockedCallEvent): void;
  onBlockedCallFinished?(event: BlockedCallFinished): void;
  /**
   * The other side asked this phone to call someone else (an inbound REFER) and the phone refused: the
   * target is blocked (also reported through `onBlockedCall`) or not something that can be called.
   */
  onTransferRefused?(event: TransferRefusedEvent): void;
  /** An allowed call refused because the agent is on Do not disturb or busy (nothing rang). */
  onCallRefused?(event: RefusedCallEvent): void;
  /** A chosen microphone or speaker went missing (calls moved to the default) or came back (SPEC §10.5). */
  onDeviceNotice?(notice: DeviceNotice): void;
  /** An emergency call was placed (SPEC §1.4): the host must remember `at` for the call-back window. */
  onEmergencyCallPlaced?(at: number): void;
  /** Something went wrong that the phone handled (for the log); `context` says where. */
  onError?(context: string, error: unknown): void;
}

/** The agent's availability and call preferences (SPEC §10.1, §10.4), read at each incoming call. */
export interface AgentPresence {
  availability: 'available' | 'dnd';
  /** What Do not disturb answers: 486 Busy Here (default) or 480 Temporarily Unavailable. */
  dndResponse: 486 | 480;
  /** Refuse a call that arrives while another is in progress (486) instead of call waiting. */
  refuseSecondCall: boolean;
  /** Answer allowed calls by themselves when no other call is in progress. */
  autoAnswer: boolean;
}

export const AVAILABLE: AgentPresence = {
  availability: 'available',
  dndResponse: 486,
  refuseSecondCall: false,
  autoAnswer: false,
};

/** An allowed call the phone refused for the agent: Do not disturb, or busy with "refuse a second call". */
export interface RefusedCallEvent {
  accountId: string;
  line: string | null;
  number: string | null;
  remote: string;
  reason: 'dnd' | 'busy';
  statusCode: number;
  at: number;
}

export interface PhoneOptions {
  accounts: SipAccount[];
  /** SIP passwords by account id (from the keychain). */
  passwords: Record<string, string | null | undefined>;
  /** TURN credentials by account id, then server URL (from the keychain). */
  iceCredentials?: Record<string, Record<string, string>>;
  policy: CallPolicySource;
  audio: PhoneAudioOptions;
  events?: PhoneEvents;
  /** sip.js log level; `error` keeps the INVITE path free of console work. */
  logLevel?: 'debug' | 'log' | 'warn' | 'error';
  /** Reconnection backoff: first delay and cap, in ms. */
  reconnect?: { initialDelayMs: number; maxDelayMs: number };
  /** The agent's availability and preferences; everyone is available when absent. */
  presence?: () => AgentPresence;
  /** How long a blocked call waits for the media path before playing the clip anyway (≤ 2000). */
  mediaConnectTimeoutMs?: number;
}

export type PlaceCallResult =
  | { kind: 'placed'; callId: string; emergency: boolean }
  | { kind: 'blocked'; event: BlockedCallEvent }
  | { kind: 'refused'; message: string };

export interface Phone {
  lines(): LineSnapshot[];
  calls(): CallSnapshot[];
  placeCall(dialed: string, options?: { accountId?: string }): Promise<PlaceCallResult>;
  answer(callId: string): Promise<void>;
  decline(callId: string): Promise<void>;
  hangup(callId: string): Promise<void>;
  mute(callId: string, muted: boolean): void;
  hold(callId: string, held: boolean): Promise<void>;
  /** Makes this held call the live one: every other connected call goes on hold (SPEC §10.1). */
  switchTo(callId: string): Promise<void>;
  sendDtmf(callId: string, tones: string): Promise<void>;
  /**
   * Blind transfer: holds the call and sends the REFER; resolves once the REFER is answered. The outcome
   * is in the snapshot's `transfer`: on success the call ends, on failure it is resumed and stays.
   */
  transfer(callId: string, target: string): Promise<void>;
  /** Forgets a failed transfer's outcome (the agent has read it): the snapshot's `transfer` is null again. */
  dismissTransfer(callId: string): void;
  /** Restarts the call's ICE now (re-INVITE with new ICE credentials): the agent's "Reconnect audio". */
  restartIce(callId: string): Promise<void>;
  /**
   * Attended transfer (SPEC §10.2): holds this call and places a consultation call to `target`, decided
   * like a dialled number (a blocked target is announced locally and never dialled; the call resumes).
   */
  consult(callId: string, target: string): Promise<PlaceCallResult>;
  /**
   * Sends the held party on to the consulted one (REFER with Replaces); both legs end once it succeeded.
   * On failure both legs stay (held + consultation) and the held call's `transfer` says why.
   */
  completeTransfer(callId: string): Promise<void>;
  /** Ends the consultation call and resumes the held one. `callId` may be either leg. */
  cancelConsult(callId: string): Promise<void>;
  /**
   * Three-way conference (SPEC §10.3): joins this call and the other connected call (the held one is
   * resumed); each party hears the agent and the other. Resolves with the conference id.
   */
  merge(callId: string): Promise<string>;
  /** The agent leaves the conference: every leg ends. `callId` may be any leg. */
  leaveConference(callId: string): Promise<void>;
  /** Block and hang up: the caller hears the inbound announcement on the call, then BYE. */
  announceAndHangUp(callId: string): Promise<void>;
  /** Moves the output path (every call, tone and announcement) to this speaker now; null = default. */
  setOutputDevice(deviceId: string | null): Promise<void>;
  /** Replaces the outgoing audio of every live call with this microphone now; null = default (SPEC §10.5). */
  setInputDevice(deviceId: string | null): Promise<void>;
  /** Plays one of the two announcements on the output device (settings preview); resolves when it ends. */
  previewAnnouncement(which: 'inbound' | 'outbound'): Promise<void>;
  /**
   * Puts the org's own recording of an announcement in force for the next blocked calls (null: the
   * built-in clip again); resolves once it is decoded (SPEC §12.5).
   */
  useAnnouncement(
    kind: 'inbound' | 'outbound',
    clip: { version: string; audio: ArrayBuffer } | null,
  ): Promise<void>;
  /** The network came back (`online`) or the computer woke: every line re-registers now (SPEC §10.6). */
  recover(event: 'online' | 'resume'): Promise<void>;
  /** Unregisters every line and ends every call. */
  dispose(): Promise<void>;
}
