/**
 * Glue between the phone core (`renderer/phone`, framework-free, sip.js inside) and the app: it feeds
 * the phone the local policy, mirrors its plain snapshots into the stores, and hands its events to the
 * history, the host's call reports and the emergency bookkeeping. What a call record holds is decided
 * in `renderer/phone/call-records.ts`; sip.js objects never leave the phone.
 */
import type { CallReport } from '../../shared/contracts/api';
import type { HistoryEntry, SipAccount } from '../../shared/contracts/ipc';
import { buildRuleIndex, type RuleIndex } from '../../shared/decision';
import {
  blockedCallIsLogged,
  blockedDialNotice,
  historyForBlocked,
  historyForCall,
  historyForRefused,
  reportForAllowed,
  reportForBlocked,
} from '../phone/call-records';
import type { CallSnapshot, Phone, PhoneOptions } from '../phone/types';
import { ENDED_CALL_LINGER_MS } from '../stores/calls';
import { incomingCall } from '../stores/calls';
import { deviceOrDefault, outboundLine, ringSink } from '../stores/phone';
import { Ringtone } from '../calls/ringtone';
import { AudioOutput } from '../phone/audio-output';
import type { AppStores } from './stores';
import { createOrgAnnouncements } from './org-announcements';
import type { AnnouncementKind } from '../../shared/announcements';

export type CreatePhone = (options: PhoneOptions) => Phone;

export interface PhoneController {
  /** (Re)creates the phone from this machine's SIP accounts; call after sign-in and account changes. */
  restart(): Promise<void>;
  /** Ends every call and unregisters every line (on sign-out); `restart` brings them back. */
  suspend(): Promise<void>;
  placeCall(dialed: string): Promise<void>;
  answer(callId: string): Promise<void>;
  decline(callId: string): Promise<void>;
  hangup(callId: string): Promise<void>;
  mute(callId: string, muted: boolean): void;
  hold(callId: string, held: boolean): Promise<void>;
  /** Block and hang up from a live call: the caller hears the announcement, then BYE. */
  announceAndHangUp(callId: string): Promise<void>;
  /** Plays an announcement in force (the org's own or the built-in one) on the output device. */
  previewAnnouncement(kind: AnnouncementKind): Promise<void>;
  /** Resumes a held call and holds the others (the calls panel). */
  switchTo(callId: string): Promise<void>;
  sendDtmf(callId: string, tones: string): Promise<void>;
  /** Blind transfer; its progress and a failure show in the call's snapshot (`transfer`). */
  transfer(callId: string, target: string): Promise<void>;
  /** The agent has read a failed transfer's notice: it goes. */
  dismissTransfer(callId: string): void;
  /**
   * Attended transfer (SPEC §10.2): holds the call and consults `target`, decided like a dialled number.
   * Resolves with a message for the agent when nothing was dialled (refused or blocked), else null.
   */
  consult(callId: string, target: string): Promise<string | null>;
  completeTransfer(callId: string): Promise<void>;
  cancelConsult(callId: string): Promise<void>;
  /** Three-way conference (SPEC §10.3) of this call and the other connected one. */
  merge(callId: string): Promise<void>;
  leaveConference(callId: string): Promise<void>;
  stop(): Promise<void>;
}

const outputDevice = deviceOrDefault;

/** Quiet time after a list change before the call-decision index is rebuilt ahead of the next call. */
const INDEX_WARM_DELAY_MS = 500;

export function createPhoneController(stores: AppStores, createPhone: CreatePhone | null): PhoneController {
  const { api } = stores;
  let phone: Phone | null = null;
  let cachedIndex: { rules: unknown; index: RuleIndex } | null = null;
  let lastEmergencyAtMs: number | null = null;
  // One output path for everything the agent hears on a call: call audio, tones, announcements. The
  // ringtone has its own, so it can ring on the speakers while the agent talks on a headset (§10.5).
  const output = new AudioOutput(outputDevice(stores.phone.getState().audio.outputDeviceId));
  const ringOutput = new AudioOutput(ringSink(stores.phone.getState().audio));
  const ringtone = new Ringtone(ringOutput);
  // Devices chosen in settings apply at once, to live calls too (SPEC §10.5).
  const offAudio = stores.phone.subscribe((state, previous) => {
    const audio = state.audio;
    const before = previous.audio;
    if (audio === before) return;
    if (audio.inputDeviceId !== before.inputDeviceId)
      void phone?.setInputDevice(deviceOrDefault(audio.inputDeviceId)).catch(() => undefined);
    if (audio.outputDeviceId !== before.outputDeviceId) {
      const sink = outputDevice(audio.outputDeviceId);
      void (phone ? phone.setOutputDevice(sink) : output.setSinkId(sink)).catch(() => undefined);
    }
    if (ringSink(audio) !== ringSink(before))
      void ringOutput.setSinkId(ringSink(audio)).catch(() => undefined);
  });
  const builtInClips = {
    inbound: new URL('audio/blocked-inbound.wav', document.baseURI).href,
    outbound: new URL('audio/blocked-outbound.wav', document.baseURI).href,
  };
  const orgAnnouncements = createOrgAnnouncements(api, output, builtInClips, () => phone);
  const loggedEnded = new Set<string>();

  const policyIndex = (): RuleIndex => {
    const rules = stores.blocklist.getState().decisionRules;
    if (cachedIndex === null || cachedIndex.rules !== rules)
      cachedIndex = { rules, index: buildRuleIndex(rules) };
    return cachedIndex.index;
  };
  // A changed list is indexed once things are quiet, so the next call finds the index ready instead
  // of building it on the call path (which still does, if a call comes first: decisions use the
  // current list).
  let warmTimer: ReturnType<typeof setTimeout> | null = null;
  const offWarm = stores.blocklist.subscribe((state, previous) => {
    if (state.decisionRules === previous.decisionRules) return;
    if (warmTimer !== null) clearTimeout(warmTimer);
    warmTimer = setTimeout(() => {
      warmTimer = null;
      policyIndex();
    }, INDEX_WARM_DELAY_MS);
  });

  const report = (callReport: CallReport) => {
    void api.invoke('calls:report', callReport).catch(() => undefined);
  };
  const addHistory = (entry: HistoryEntry) => {
    void stores.history
      .getState()
      .add(entry)
      .catch(() => undefined);
  };

  const updateRinging = () => {
    const calls = stores.calls.getState().calls;
    // During a connected call a second caller gets the phone's waiting tone, never the ringtone.
    const inCall = Object.values(calls).some((call) => call.state === 'connected');
    if (incomingCall(calls) && !inCall) {
      const audio = stores.phone.getState().audio;
      void ringOutput.setSinkId(ringSink(audio)).catch(() => undefined);
      ringtone.start(audio.ringtone);
    } else ringtone.stop();
  };

  const onCall = (call: CallSnapshot) => {
    stores.calls.getState().upsertCall(call);
    if (call.state === 'ended' && !loggedEnded.has(call.id)) {
      loggedEnded.add(call.id);
      addHistory(historyForCall(call));
      setTimeout(() => stores.calls.getState().removeCall(call.id), ENDED_CALL_LINGER_MS);
    }
    updateRinging();
  };

  const reportStatus = () => {
    if (!phone) return;
    const lines = phone.lines();
    void api
      .invoke('phone:status', {
        registeredLines: lines.filter((line) => line.status === 'registered').length,
        totalLines: lines.length,
        lines: lines
          .slice(0, 50)
          .map((line) => ({ line: (line.lineNumber || line.sipUri).slice(0, 200), status: line.status })),
      })
      .catch(() => undefined);
  };

  const build = async (accounts: SipAccount[]): Promise<Phone | null> => {
    if (!createPhone || accounts.length === 0) return null;
    const passwords: Record<string, string | null> = {};
    const iceCredentials: Record<string, Record<string, string>> = {};
    for (const account of accounts) {
      const credentials = await api.invoke('phone:credentials', { accountId: account.id });
      passwords[account.id] = credentials.password;
      iceCredentials[account.id] = credentials.iceCredentials ?? {};
    }
    const last = await api.invoke('calls:lastEmergency', undefined);
    lastEmergencyAtMs = last.at === null ? null : Date.parse(last.at);
    const audio = stores.phone.getState().audio;
    void output.setSinkId(outputDevice(audio.outputDeviceId)).catch(() => undefined);
    return createPhone({
      accounts,
      passwords,
      iceCredentials,
      audio: {
        inboundClipUrl: builtInClips.inbound,
        outboundClipUrl: builtInClips.outbound,
        outputDeviceId: outputDevice(audio.outputDeviceId),
        output,
        inputDeviceId: audio.inputDeviceId === 'default' ? null : audio.inputDeviceId,
      },
      presence: () => stores.phone.getState().presence,
      policy: {
        getIndex: policyIndex,
        getSettings: () => {
          const settings = stores.blocklist.getState().data?.settings;
          if (!settings) throw new Error('the org settings are not loaded yet');
          return settings;
        },
        getLine: (number) =>
          stores.blocklist.getState().data?.lines.find((line) => line.number === number) ?? null,
        getClock: () => ({ nowMs: Date.now(), lastEmergencyCallAtMs: lastEmergencyAtMs }),
      },
      events: {
        onLineChange: (line) => {
          stores.phone.getState().setLine(line);
          reportStatus();
        },
        onIncomingCall: (incoming) => {
          const { call } = incoming;
          onCall(call);
          report(reportForAllowed(incoming));
          void api
            .invoke('notify:incomingCall', { callId: call.id, caller: call.remote, line: call.line })
            .catch(() => undefined);
        },
        onCallChange: onCall,
        onBlockedCall: (event) => {
          report(reportForBlocked(event));
          const logInbound = stores.blocklist.getState().data?.settings.logBlockedInbound ?? false;
          if (blockedCallIsLogged(event, logInbound)) addHistory(historyForBlocked(event));
          if (event.direction === 'outbound')
            stores.calls.getState().setDialerNotice({ tone: 'error', text: blockedDialNotice(event) });
        },
        onCallRefused: (event) => addHistory(historyForRefused(event)),
        onDeviceNotice: ({ change, message }) =>
          stores.calls
            .getState()
            .setDialerNotice({ tone: change === 'missing' ? 'warning' : 'info', text: message }),
        onTransferRefused: ({ message }) =>
          stores.calls.getState().setDialerNotice({ tone: 'error', text: message }),
        onEmergencyCallPlaced: (at) => {
          lastEmergencyAtMs = at;
          void api.invoke('calls:emergencyPlaced', { at: new Date(at).toISOString() }).catch(() => undefined);
        },
        onError: (context, error) => console.error(`[phone] ${context}`, error),
      },
      logLevel: 'error',
    });
  };

  const withPhone = async (action: (current: Phone) => Promise<void> | void) => {
    if (!phone) throw new Error('No SIP account is set up on this computer');
    await action(phone);
  };

  const offDialer = api.on('notify:action', ({ callId, action }) => {
    if (action === 'answer') void phone?.answer(callId);
    if (action === 'decline') void phone?.decline(callId);
  });
  // SPEC §10.6: the network back, or the computer awake: every line re-registers without waiting.
  const offResume = api.on('power:resumed', () => void phone?.recover('resume'));
  const onOnline = () => void phone?.recover('online');
  if (typeof window !== 'undefined') window.addEventListener('online', onOnline);

  return {
    async restart() {
      const previous = phone;
      phone = null;
      await previous?.dispose().catch(() => undefined);
      for (const accountId of Object.keys(stores.phone.getState().lines))
        stores.phone.getState().removeLine(accountId);
      const entries = await api.invoke('phone:accounts', undefined);
      phone = await build(entries.filter((entry) => entry.account.enabled).map((entry) => entry.account));
      if (phone) await orgAnnouncements.applyTo(phone);
      for (const line of phone?.lines() ?? []) stores.phone.getState().setLine(line);
      reportStatus();
    },
    async suspend() {
      ringtone.stop();
      const previous = phone;
      phone = null;
      await previous?.dispose().catch(() => undefined);
      for (const accountId of Object.keys(stores.phone.getState().lines))
        stores.phone.getState().removeLine(accountId);
    },
    async placeCall(dialed) {
      const calls = stores.calls.getState();
      if (dialed.trim() === '')
        return calls.setDialerNotice({ tone: 'warning', text: 'Enter a number to call' });
      if (!phone)
        return calls.setDialerNotice({
          tone: 'warning',
          text: 'No SIP account is set up: add one in Settings → Phone',
        });
      const line = outboundLine(stores.phone.getState());
      const result = await phone.placeCall(dialed, line ? { accountId: line.accountId } : {});
      if (result.kind === 'refused') calls.setDialerNotice({ tone: 'error', text: result.message });
      else if (result.kind === 'placed') calls.setDialerNotice(null);
    },
    answer: (callId) => withPhone((current) => current.answer(callId)),
    decline: (callId) => withPhone((current) => current.decline(callId)),
    hangup: (callId) => withPhone((current) => current.hangup(callId)),
    mute(callId, muted) {
      phone?.mute(callId, muted);
    },
    hold: (callId, held) => withPhone((current) => current.hold(callId, held)),
    switchTo: (callId) => withPhone((current) => current.switchTo(callId)),
    announceAndHangUp: (callId) => withPhone((current) => current.announceAndHangUp(callId)),
    previewAnnouncement: (kind) => orgAnnouncements.preview(kind),
    sendDtmf: (callId, tones) => withPhone((current) => current.sendDtmf(callId, tones)),
    transfer: (callId, target) => withPhone((current) => current.transfer(callId, target)),
    dismissTransfer(callId) {
      phone?.dismissTransfer(callId);
    },
    async consult(callId, target) {
      if (!phone) throw new Error('No SIP account is set up on this computer');
      const result = await phone.consult(callId, target);
      if (result.kind === 'refused') return result.message;
      // The blocked number was announced locally and recorded like any blocked dial (onBlockedCall).
      if (result.kind === 'blocked') return `${target} is blocked by your organization: not dialled.`;
      return null;
    },
    completeTransfer: (callId) => withPhone((current) => current.completeTransfer(callId)),
    cancelConsult: (callId) => withPhone((current) => current.cancelConsult(callId)),
    merge: (callId) => withPhone(async (current) => void (await current.merge(callId))),
    leaveConference: (callId) => withPhone((current) => current.leaveConference(callId)),
    async stop() {
      orgAnnouncements.stop();
      offDialer();
      offResume();
      if (typeof window !== 'undefined') window.removeEventListener('online', onOnline);
      offWarm();
      offAudio();
      if (warmTimer !== null) clearTimeout(warmTimer);
      ringtone.stop();
      await phone?.dispose().catch(() => undefined);
      phone = null;
      await output.close();
      await ringOutput.close();
    },
  };
}
