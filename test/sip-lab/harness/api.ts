/** What the harness page exposes as `window.lab` for the SIP integration tests (plain data only). */
import type { Line } from '../../../shared/contracts/api';
import type { SipAccount } from '../../../shared/contracts/ipc';
import type { Rule } from '../../../shared/rules';
import type { OrgSettings } from '../../../shared/settings';
import type { CallMediaStats } from '../../../renderer/phone/phone';
import type { CallSnapshot, LineSnapshot, PlaceCallResult } from '../../../renderer/phone/types';

export type AutoAnswer = 'none' | 'answer' | 'decline';

export interface HarnessConfig {
  account: SipAccount;
  password: string;
  /** TURN credentials by server URL, as the keychain would give them. */
  iceCredentials?: Record<string, string>;
  rules: Rule[];
  settings: OrgSettings;
  lines: Line[];
  autoAnswer: AutoAnswer;
}

export interface HarnessEvent {
  type: 'incoming' | 'blocked' | 'blocked-finished' | 'call' | 'line' | 'emergency' | 'error';
  at: number;
  data: unknown;
}

export interface HarnessApi {
  start(config: HarnessConfig): Promise<LineSnapshot[]>;
  setRules(rules: Rule[]): void;
  setSettings(settings: OrgSettings): void;
  setLines(lines: Line[]): void;
  setAutoAnswer(mode: AutoAnswer): void;
  setLastEmergencyCall(atMs: number | null): void;
  events(): HarnessEvent[];
  clearEvents(): void;
  getUserMediaCalls(): number;
  calls(): CallSnapshot[];
  placeCall(dialed: string): Promise<PlaceCallResult>;
  hangup(callId: string): Promise<void>;
  mute(callId: string, muted: boolean): void;
  sendDtmf(callId: string, tones: string): Promise<void>;
  hold(callId: string, held: boolean): Promise<void>;
  transfer(callId: string, target: string): Promise<void>;
  lines(): LineSnapshot[];
  stats(callId: string): Promise<CallMediaStats | null>;
  iceServers(callId: string): RTCIceServer[] | null;
  /** The loudest remote level seen while sampling for `durationMs` (the fake microphone beeps once a second). */
  peakRemoteLevel(callId: string, durationMs: number): Promise<number>;
  dispose(): Promise<void>;
}

/** One call placed by the WebRTC caller page (`window.caller`). */
export interface CallerCall {
  id: string;
  /** Status codes received in order, with `performance.now()`; status 0 is the INVITE sent. */
  responses: Array<{ status: number; atMs: number }>;
  established: boolean;
  ended: boolean;
  /** Loudest RMS heard before the call was answered (early media) and after. */
  peakEarlyMedia: number;
  peakEstablished: number;
}

export interface CallerApi {
  /** Calls `target` (a SIP URI) as `sip:<from>@127.0.0.1`; resolves with the call's id once sent. */
  call(from: string, target: string): Promise<string>;
  result(id: string): CallerCall;
  hangup(id: string): Promise<void>;
}

declare global {
  interface Window {
    lab?: HarnessApi;
    caller?: CallerApi;
  }
}
