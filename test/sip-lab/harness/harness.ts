/**
 * The test page for the phone core: one line registered at the lab's Kamailio, a rule list and settings
 * injected by the test. It records every phone event and every getUserMedia call.
 */
import type { Line } from '../../../shared/contracts/api';
import { buildRuleIndex, type RuleIndex } from '../../../shared/decision';
import type { Rule } from '../../../shared/rules';
import type { OrgSettings } from '../../../shared/settings';
import { createPhone, type PhoneWithDiagnostics } from '../../../renderer/phone/phone';
import { AVAILABLE, type AgentPresence } from '../../../renderer/phone/types';
import { sampleLevels, type AutoAnswer, type HarnessApi, type HarnessEvent } from './api';
import { errorMessage } from '../../../shared/error-message';

const recorded: HarnessEvent[] = [];
let getUserMediaCalls = 0;
const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
const realEnumerateDevices = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
/** Devices "unplugged" by stubUnplug. */
const unplugged = new Set<string>();
function asksExactlyFor(constraints: MediaStreamConstraints | undefined): string | null {
  const audio = constraints?.audio;
  if (typeof audio !== 'object') return null;
  const deviceId = audio.deviceId;
  if (typeof deviceId !== 'object' || deviceId === null || Array.isArray(deviceId)) return null;
  const exact = (deviceId as ConstrainDOMStringParameters).exact;
  return typeof exact === 'string' ? exact : null;
}
navigator.mediaDevices.getUserMedia = (constraints?: MediaStreamConstraints) => {
  getUserMediaCalls += 1;
  const exact = asksExactlyFor(constraints);
  // What Chromium answers for an exact device that is not there.
  if (exact !== null && unplugged.has(exact))
    return Promise.reject(new DOMException('Requested device not found', 'OverconstrainedError'));
  return realGetUserMedia(constraints);
};
navigator.mediaDevices.enumerateDevices = async () =>
  (await realEnumerateDevices()).filter((device) => !unplugged.has(device.deviceId));

function record(type: HarnessEvent['type'], data: unknown): void {
  recorded.push({ type, at: Date.now(), data: JSON.parse(JSON.stringify(data ?? null)) });
}

let phone: PhoneWithDiagnostics | null = null;
let index: RuleIndex = buildRuleIndex([]);
let settings: OrgSettings | null = null;
let lines: Line[] = [];
let autoAnswer: AutoAnswer = 'none';
let lastEmergencyCallAtMs: number | null = null;
let presence: AgentPresence = AVAILABLE;

function requirePhone(): PhoneWithDiagnostics {
  if (!phone) throw new Error('call lab.start() first');
  return phone;
}

const api: HarnessApi = {
  async start(config) {
    index = buildRuleIndex(config.rules);
    settings = config.settings;
    lines = config.lines;
    autoAnswer = config.autoAnswer;
    const created = createPhone({
      accounts: [config.account],
      passwords: { [config.account.id]: config.password },
      iceCredentials: { [config.account.id]: config.iceCredentials ?? {} },
      policy: {
        getIndex: () => index,
        getSettings: () => {
          if (!settings) throw new Error('no settings');
          return settings;
        },
        getLine: (number) => lines.find((line) => line.number === number) ?? null,
        getClock: () => ({ nowMs: Date.now(), lastEmergencyCallAtMs }),
      },
      presence: () => presence,
      audio: { inboundClipUrl: '/audio/blocked-inbound.wav', outboundClipUrl: '/audio/blocked-outbound.wav' },
      events: {
        onLineChange: (line) => record('line', line),
        onIncomingCall: (event) => {
          record('incoming', event);
          if (autoAnswer === 'answer')
            void created.answer(event.call.id).catch((error) => record('error', String(error)));
          if (autoAnswer === 'decline')
            void created.decline(event.call.id).catch((error) => record('error', String(error)));
        },
        onCallChange: (call) => record('call', call),
        onBlockedCall: (event) => record('blocked', event),
        onBlockedCallFinished: (event) => record('blocked-finished', event),
        onTransferRefused: (event) => record('transfer-refused', event),
        onCallRefused: (event) => record('refused', event),
        onDeviceNotice: (notice) => record('device-notice', notice),
        onEmergencyCallPlaced: (at) => {
          lastEmergencyCallAtMs = at;
          record('emergency', { at });
        },
        onError: (context, error) => record('error', `${context}: ${errorMessage(error)}`),
      },
    });
    phone = created;
    // As the app's controller does (SPEC §10.6): the network back, every line re-registers now.
    window.addEventListener('online', () => void created.recover('online'));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const snapshot = created.lines();
      if (snapshot.every((line) => line.status === 'registered')) return snapshot;
      if (snapshot.some((line) => line.status === 'failed')) throw new Error(JSON.stringify(snapshot));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`not registered: ${JSON.stringify(created.lines())}`);
  },
  setRules(rules: Rule[]) {
    index = buildRuleIndex(rules);
  },
  setSettings(next) {
    settings = next;
  },
  setLines(next) {
    lines = next;
  },
  setAutoAnswer(mode) {
    autoAnswer = mode;
  },
  setLastEmergencyCall(atMs) {
    lastEmergencyCallAtMs = atMs;
  },
  events: () => recorded.slice(),
  clearEvents: () => {
    recorded.length = 0;
  },
  getUserMediaCalls: () => getUserMediaCalls,
  calls: () => requirePhone().calls(),
  placeCall: (dialed) => requirePhone().placeCall(dialed),
  hangup: (callId) => requirePhone().hangup(callId),
  answer: (callId) => requirePhone().answer(callId),
  decline: (callId) => requirePhone().decline(callId),
  switchTo: (callId) => requirePhone().switchTo(callId),
  announceAndHangUp: (callId) => requirePhone().announceAndHangUp(callId),
  async useAnnouncement(kind, clip) {
    if (clip === null) return requirePhone().useAnnouncement(kind, null);
    const text = atob(clip.audioBase64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    await requirePhone().useAnnouncement(kind, { version: clip.version, audio: bytes.buffer });
  },
  setPresence(next) {
    presence = next;
  },
  async answerThenHangUp(callId, delayMs) {
    const current = requirePhone();
    void current.answer(callId).catch((error) => record('error', `answer: ${errorMessage(error)}`));
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const at = Date.now();
    await current.hangup(callId);
    return at;
  },
  mute: (callId, muted) => requirePhone().mute(callId, muted),
  sendDtmf: (callId, tones) => requirePhone().sendDtmf(callId, tones),
  hold: (callId, held) => requirePhone().hold(callId, held),
  transfer: (callId, target) => requirePhone().transfer(callId, target),
  dismissTransfer: (callId) => requirePhone().dismissTransfer(callId),
  consult: (callId, target) => requirePhone().consult(callId, target),
  completeTransfer: (callId) => requirePhone().completeTransfer(callId),
  cancelConsult: (callId) => requirePhone().cancelConsult(callId),
  merge: (callId) => requirePhone().merge(callId),
  leaveConference: (callId) => requirePhone().leaveConference(callId),
  lines: () => requirePhone().lines(),
  stats: (callId) => requirePhone().callMediaStats(callId),
  iceServers: (callId) => requirePhone().callIceServers(callId),
  async peakRemoteLevel(callId, durationMs) {
    let peak = 0;
    const until = Date.now() + durationMs;
    while (Date.now() < until) {
      const stats = await requirePhone().callMediaStats(callId);
      peak = Math.max(peak, stats?.remoteLevel ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return peak;
  },
  async peakOutput(channel, durationMs, frequencyHz) {
    let peak = 0;
    let peakDb = -Infinity;
    const until = Date.now() + durationMs;
    while (Date.now() < until) {
      peak = Math.max(peak, requirePhone().outputLevel(channel));
      if (frequencyHz !== undefined)
        peakDb = Math.max(peakDb, requirePhone().outputLevelAt(channel, frequencyHz));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // JSON has no -Infinity: silence is reported as -200 dBFS.
    return { rms: peak, dbAtFrequency: Number.isFinite(peakDb) ? peakDb : -200 };
  },
  restartIce: (callId) => requirePhone().restartIce(callId),
  setInputDevice: (deviceId) => requirePhone().setInputDevice(deviceId),
  setOutputDevice: (deviceId) => requirePhone().setOutputDevice(deviceId),
  microphoneDeviceId: (callId) => requirePhone().callMicrophoneDeviceId(callId),
  outputSinkId: () => requirePhone().outputSinkId(),
  async audioDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices
      .filter((device) => device.kind !== 'videoinput')
      .map(({ kind, deviceId, label }) => ({ kind, deviceId, label }));
  },
  stubUnplug(deviceId) {
    unplugged.add(deviceId);
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
  },
  async firstOutputAbove(channel, rms, timeoutMs) {
    const until = performance.now() + timeoutMs;
    // Timers (clamped to about 4 ms) rather than a busy loop: the phone runs on this same thread.
    const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
    while (performance.now() < until) {
      if (requirePhone().outputLevel(channel) > rms) return performance.timeOrigin + performance.now();
      await tick();
    }
    return null;
  },
  outputLevels: (channel, frequencies, durationMs) =>
    sampleLevels(
      frequencies,
      durationMs,
      () => undefined,
      (frequency) => requirePhone().outputLevelAt(channel, frequency),
    ),
  async dispose() {
    await phone?.dispose();
    phone = null;
  },
};

window.lab = api;
