/** What the harness page exposes as `window.lab` for the SIP integration tests (plain data only). */
import type { Line } from '../../../shared/contracts/api';
import type { SipAccount } from '../../../shared/contracts/ipc';
import type { Rule } from '../../../shared/rules';
import type { OrgSettings } from '../../../shared/settings';
import type { CallMediaStats } from '../../../renderer/phone/phone';
import type {
  AgentPresence,
  CallSnapshot,
  LineSnapshot,
  PlaceCallResult,
} from '../../../renderer/phone/types';

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
  type:
    | 'incoming'
    | 'blocked'
    | 'blocked-finished'
    | 'call'
    | 'line'
    | 'emergency'
    | 'transfer-refused'
    | 'refused'
    | 'device-notice'
    | 'error';
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
  answer(callId: string): Promise<void>;
  decline(callId: string): Promise<void>;
  switchTo(callId: string): Promise<void>;
  announceAndHangUp(callId: string): Promise<void>;
  /** Puts the org's own recording (the WAV the server serves, as base64) in force; null: built-in. */
  useAnnouncement(
    kind: 'inbound' | 'outbound',
    clip: { version: string; audioBase64: string } | null,
  ): Promise<void>;
  setPresence(presence: AgentPresence): void;
  /** Answers, then hangs up `delayMs` later without waiting for the answer; resolves with the hang-up time (epoch ms). */
  answerThenHangUp(callId: string, delayMs: number): Promise<number>;
  mute(callId: string, muted: boolean): void;
  sendDtmf(callId: string, tones: string): Promise<void>;
  hold(callId: string, held: boolean): Promise<void>;
  transfer(callId: string, target: string): Promise<void>;
  dismissTransfer(callId: string): void;
  consult(callId: string, target: string): Promise<PlaceCallResult>;
  completeTransfer(callId: string): Promise<void>;
  cancelConsult(callId: string): Promise<void>;
  merge(callId: string): Promise<string>;
  leaveConference(callId: string): Promise<void>;
  lines(): LineSnapshot[];
  stats(callId: string): Promise<CallMediaStats | null>;
  iceServers(callId: string): RTCIceServer[] | null;
  /** The loudest remote level seen while sampling for `durationMs` (the fake microphone beeps once a second). */
  peakRemoteLevel(callId: string, durationMs: number): Promise<number>;
  /**
   * The loudest the agent heard on an output channel while sampling for `durationMs`: RMS, and the
   * level in dBFS at `frequencyHz` (the test tap on the one output path).
   */
  peakOutput(
    channel: 'call' | 'tone' | 'ring',
    durationMs: number,
    frequencyHz?: number,
  ): Promise<{ rms: number; dbAtFrequency: number }>;
  /** SPEC §10.6: restart the call's ICE on demand. */
  restartIce(callId: string): Promise<void>;
  /** SPEC §10.5: the agent picks a microphone / speaker during a call. */
  setInputDevice(deviceId: string | null): Promise<void>;
  setOutputDevice(deviceId: string | null): Promise<void>;
  /** The device a live call's outgoing track comes from (its settings' deviceId). */
  microphoneDeviceId(callId: string): string | null;
  /** The output path's sink ('' = the system default). */
  outputSinkId(): string;
  /** The browser's audio devices (kind, id, label). */
  audioDevices(): Promise<Array<{ kind: string; deviceId: string; label: string }>>;
  /**
   * STUB of a device being unplugged: `enumerateDevices` stops listing `deviceId`, `getUserMedia` asking
   * for it exactly fails with OverconstrainedError, and `devicechange` fires (headless Chromium's fake
   * devices cannot be removed).
   */
  stubUnplug(deviceId: string): void;
  /**
   * When (epoch ms, sampled about every 4 ms) an output channel first rose above `rms`, or null if it did
   * not within `timeoutMs`: the start of the waiting tone at the test tap, for the bench.
   */
  firstOutputAbove(channel: 'call' | 'tone' | 'ring', rms: number, timeoutMs: number): Promise<number | null>;
  /** What the agent hears on an output channel at each frequency over `durationMs`: median, dBFS. */
  outputLevels(
    channel: 'call' | 'tone' | 'ring',
    frequencies: number[],
    durationMs: number,
  ): Promise<number[]>;
  dispose(): Promise<void>;
}

/** One call placed by the WebRTC caller page (`window.caller`). */
export interface CallerCall {
  id: string;
  /** Status codes received in order, with `performance.now()`; status 0 is the INVITE sent. */
  responses: Array<{ status: number; atMs: number }>;
  established: boolean;
  ended: boolean;
  /** When the call ended (epoch ms), or null. */
  endedAt: number | null;
  /** Loudest RMS heard before the call was answered (early media) and after. */
  peakEarlyMedia: number;
  peakEstablished: number;
}

export interface CallerApi {
  /** Calls `target` (a SIP URI) as `sip:<from>@127.0.0.1`; resolves with the call's id once sent. */
  call(from: string, target: string): Promise<string>;
  result(id: string): CallerCall;
  hangup(id: string): Promise<void>;
  /** Sends a REFER to `target` (a SIP URI) on an established call; resolves with the REFER's final status. */
  refer(id: string, target: string): Promise<number>;
  /**
   * The call this one was transferred into: a REFER the caller followed (Replaces copied, as sip.js
   * does), or null. The new call is measured like the first.
   */
  referredCall(id: string): string | null;
  /** In-dialog INVITEs the far end sent on this call so far (hold, ICE restart). */
  reInvites(id: string): number;
  /** Stops (true) or resumes (false) sending audio without renegotiating: silence on the wire. */
  stopSending(id: string, stopped: boolean): Promise<void>;
  /** From now on a REFER is refused with this status (a phone that will not transfer); null: followed again. */
  refuseRefers(statusCode: number | null): void;
  /** What the caller hears at each frequency over the next `durationMs`: the median level, dBFS. */
  levelsAt(id: string, frequencies: number[], durationMs: number): Promise<number[]>;
  /** The loudest the caller hears over the next `durationMs` (RMS). */
  peakFor(id: string, durationMs: number): Promise<number>;
}

/**
 * The median level (dBFS) at each frequency over `durationMs`, read every 50 ms: the median, because a
 * band's peak over a window follows the noise of a compressed call, not the tone.
 */
export async function sampleLevels(
  frequencies: readonly number[],
  durationMs: number,
  refresh: () => void,
  levelAt: (frequencyHz: number) => number,
): Promise<number[]> {
  const samples: number[][] = frequencies.map(() => []);
  const deadline = performance.now() + durationMs;
  while (performance.now() < deadline) {
    refresh();
    frequencies.forEach((frequency, index) => {
      const level = levelAt(frequency);
      samples[index]?.push(Number.isFinite(level) ? level : -200);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return samples.map((values) => {
    const sorted = [...values].sort((x, y) => x - y);
    return sorted[Math.floor(sorted.length / 2)] ?? -200;
  });
}

declare global {
  interface Window {
    lab?: HarnessApi;
    caller?: CallerApi;
  }
}
