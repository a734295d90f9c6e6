/**
 * The phone: one PhoneLine per SIP account, call interception on every INVITE (SPEC §3), and the
 * composition of its parts — the call registry (`call-registry.ts`), the controls (`call-controls.ts`),
 * the blocked-call flow (`blocked-call.ts`), call media (`call-media.ts`) and the media-handler factory
 * (`session-description.ts`). The UI talks to it with call IDs and receives plain snapshots; sip.js
 * objects never leave.
 */
import { Inviter, UserAgent, Web, type Invitation } from 'sip.js';
import type { Decision } from '../../shared/decision.types';
import { errorMessage } from '../../shared/error-message';
import { verificationStatus } from '../../shared/identity';
import type { CallerIdentity } from '../../shared/identity.types';
import { AnnouncementAudio } from './announcement';
import { announceAndEnd } from './announce-and-end';
import { createAttendedTransfer } from './attended-transfer';
import { AudioOutput, type OutputChannel } from './audio-output';
import { BlockedCalls, blockedCallEvent } from './blocked-call';
import { autoAnswerPlan, followAutoAnswer } from './auto-answer';
import { createCallControls } from './call-controls';
import { createConference } from './conference';
import { attachRemoteAudio, detachRemoteAudio, mediaStats, type CallMediaStats } from './call-media';
import { CallRegistry, safeCallId, type CallRecord, type CallSession, type NewCall } from './call-registry';
import { handleInboundRefers, type ReferredCall } from './inbound-refer';
import { BUSY_HERE, UNAVAILABLE, endQuietly } from './session-end';
import { WaitingTone, hasWaitingCall } from './call-waiting';
import { dialExtensionOnConnect } from './extension-dial';
import { fastReject } from './fast-reject';
import { decideInbound, decideOutbound, failOpenDecision } from './interception';
import { PhoneLine } from './phone-line';
import { monitorSessionQuality } from './quality-monitor';
import { watchIceConnection, type IceWatch } from './ice-restart';
import { LiveDevices, browserDeviceSources, type MicrophoneSink } from './device-switch';
import {
  PhoneSessionDescriptionHandler,
  createSessionDescriptionHandlerFactory,
} from './session-description';
import {
  AVAILABLE,
  type AgentPresence,
  type BlockedHandling,
  type Phone,
  type PhoneEvents,
  type PhoneOptions,
  type PlaceCallResult,
} from './types';

export type { CallMediaStats } from './call-media';

const DEFAULT_MEDIA_CONNECT_TIMEOUT_MS = 2000;

export interface PhoneWithDiagnostics extends Phone {
  /** Media counters of a live call (for a quality indicator, and for tests). */
  callMediaStats(callId: string): Promise<CallMediaStats | null>;
  /** What the agent hears on a channel of the output path right now (RMS 0–1): the test tap. */
  outputLevel(channel: OutputChannel): number;
  /** The output channel's level at a frequency right now (dBFS). */
  outputLevelAt(channel: OutputChannel, frequencyHz: number): number;
  /** The ICE servers a live call's peer connection was given (for tests of the account's network settings). */
  callIceServers(callId: string): RTCIceServer[] | null;
  /** The device a live call's outgoing audio comes from (its track's settings), or null. */
  callMicrophoneDeviceId(callId: string): string | null;
  /** The output path's sink ('' for the system default). */
  outputSinkId(): string;
}

/** A call's outgoing audio when it has the phone's own media handler and is not announcing to a caller. */
function microphoneOf(record: CallRecord): MicrophoneSink[] {
  const handler = record.session.sessionDescriptionHandler;
  if (!(handler instanceof PhoneSessionDescriptionHandler) || !handler.peerConnection) return [];
  // Block and hang up replaced the microphone by the announcement: it stays replaced.
  return record.snapshot.endReason === 'blocked_by_agent' ? [] : [handler];
}

function remoteDisplay(identity: CallerIdentity, invitation: Invitation): string {
  if (identity.kind === 'number') return identity.e164;
  if (identity.kind === 'anonymous') return 'Anonymous';
  try {
    return invitation.remoteIdentity.displayName || invitation.remoteIdentity.uri.user || 'Unknown';
  } catch {
    return 'Unknown';
  }
}

export function createPhone(options: PhoneOptions): PhoneWithDiagnostics {
  const events: PhoneEvents = options.events ?? {};
  const policy = options.policy;
  // The app hands in its one output path (the ringtone plays there too); the lab harness lets the phone make it.
  const ownsOutput = options.audio.output === undefined;
  const output = options.audio.output ?? new AudioOutput(options.audio.outputDeviceId ?? null);
  const audio = new AnnouncementAudio(output);
  let disposed = false;

  function report(context: string, error: unknown): void {
    try {
      events.onError?.(context, error);
    } catch {
      // A broken listener must not break calling.
    }
  }

  function emit<K extends keyof PhoneEvents>(
    name: K,
    ...args: Parameters<NonNullable<PhoneEvents[K]>>
  ): void {
    const listener = events[name] as ((...values: typeof args) => void) | undefined;
    if (!listener) return;
    try {
      listener(...args);
    } catch (error) {
      report(`${name} listener`, error);
    }
  }

  const waitingTone = new WaitingTone(output);
  const followWaiting = () => waitingTone.follow(hasWaitingCall(registry.snapshots()));
  /** Each answered call's quality sampling (SPEC §10.7), by call id. */
  const qualityMonitors = new Map<string, () => void>();
  /** Each answered call's ICE watch: restarts ICE when the media path drops (SPEC §10.6), by call id. */
  const iceWatches = new Map<string, IceWatch>();
  const registry = new CallRegistry({
    onChange: (snapshot) => {
      emit('onCallChange', snapshot);
      followWaiting();
    },
    onConnected: (record) => {
      record.remoteAudio = attachRemoteAudio(record.session, output, report);
      qualityMonitors.set(
        record.snapshot.id,
        monitorSessionQuality(record.session, (quality) => registry.update(record, { quality }), report),
      );
      iceWatches.set(
        record.snapshot.id,
        watchIceConnection(record.session, {
          onReconnecting: (reconnecting) => registry.update(record, { reconnecting }),
          onError: report,
        }),
      );
    },
    onEnded: (record) => {
      if (record.remoteAudio) detachRemoteAudio(record.remoteAudio);
      record.remoteAudio = null;
      qualityMonitors.get(record.snapshot.id)?.();
      qualityMonitors.delete(record.snapshot.id);
      iceWatches.get(record.snapshot.id)?.stop();
      iceWatches.delete(record.snapshot.id);
    },
    onError: report,
  });
  // The clip in force per announcement: the built-in URL, or the key of the org's recording (SPEC §12.5).
  const builtInClips = { inbound: options.audio.inboundClipUrl, outbound: options.audio.outboundClipUrl };
  const clips = { ...builtInClips };
  const blocked = new BlockedCalls({
    audio,
    clipUrl: (kind) => clips[kind],
    mediaConnectTimeoutMs: Math.min(
      options.mediaConnectTimeoutMs ?? DEFAULT_MEDIA_CONNECT_TIMEOUT_MS,
      DEFAULT_MEDIA_CONNECT_TIMEOUT_MS,
    ),
    onBlocked: (event) => emit('onBlockedCall', event),
    onFinished: (finished) => emit('onBlockedCallFinished', finished),
    onError: report,
  });
  const controls = createCallControls(registry, policy, report);
  const devices = new LiveDevices({
    sources: browserDeviceSources(),
    microphones: () => registry.all().flatMap(microphoneOf),
    output,
    inputDeviceId: options.audio.inputDeviceId ?? null,
    outputDeviceId: options.audio.outputDeviceId ?? null,
    onNotice: (notice) => emit('onDeviceNotice', notice),
    onError: report,
  });
  const sessionDescriptionHandlerFactory = createSessionDescriptionHandlerFactory({
    announcementStream: (session) => blocked.announcementStream(session),
    inputDeviceId: () => devices.inputForNewCall(),
    onMicrophoneFallback: (chosen) => devices.newCallFellBack(chosen),
  });

  const lines: PhoneLine[] = [];
  for (const account of options.accounts) {
    if (!account.enabled) continue;
    try {
      lines.push(
        new PhoneLine({
          account,
          password: options.passwords[account.id] ?? null,
          iceCredentials: options.iceCredentials?.[account.id] ?? {},
          sessionDescriptionHandlerFactory,
          logLevel: options.logLevel ?? 'error',
          reconnect: options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 30_000 },
          onInvite: (line, invitation) => handleInvite(line, invitation),
          answerBeforeParse: (line, raw) => rejectBeforeParse(line, raw),
          onChange: (snapshot) => emit('onLineChange', snapshot),
          onError: report,
        }),
      );
    } catch (error) {
      report(`account ${account.id}`, error);
    }
  }
  // Decoding the clips now keeps the first blocked call's 183 → audio gap short.
  void audio
    .load(options.audio.inboundClipUrl)
    .catch((error) => report('loading the inbound announcement', error));
  void audio
    .load(options.audio.outboundClipUrl)
    .catch((error) => report('loading the outbound announcement', error));
  for (const line of lines) void line.start();

  // ---------------------------------------------------------------------------------------------- inbound

  function handleInvite(line: PhoneLine, invitation: Invitation): void {
    // Nothing here may throw into sip.js: a hostile INVITE must never take the user agent down.
    try {
      const lineNumber = line.account.lineNumber;
      const { identity, decision, handling } = decideInbound(invitation.request, lineNumber, policy);
      if (handling === 'ring') {
        ring(line, invitation, identity, decision);
        return;
      }
      blocked.inbound(
        invitation,
        blockedCallEvent({
          sipCallId: safeCallId(invitation),
          direction: 'inbound',
          accountId: line.account.id,
          line: lineNumber,
          decision,
          identity,
          dialed: null,
          handling,
        }),
      );
    } catch (error) {
      // Fail open (SPEC §3.7): a broken decision path lets the call ring.
      report('inbound decision', error);
      try {
        ring(
          line,
          invitation,
          { kind: 'unknown', raw: null, problem: errorMessage(error), verification: null },
          failOpenDecision(error),
        );
      } catch (ringError) {
        report('inbound call', ringError);
      }
    }
  }

  /** Reject mode: a blocked INVITE answered 603 from its raw text, before sip.js parses it (fast-reject.ts). */
  function rejectBeforeParse(line: PhoneLine, raw: string): string | null {
    const rejected = fastReject(raw, line.account.lineNumber, policy);
    if (rejected === null) return null;
    const event = blockedCallEvent({
      sipCallId: rejected.callId,
      direction: 'inbound',
      accountId: line.account.id,
      line: line.account.lineNumber,
      decision: rejected.decided.decision,
      identity: rejected.decided.identity,
      dialed: null,
      handling: 'reject',
    });
    // The 603 leaves first; the bookkeeping (history, server report) right after.
    queueMicrotask(() => blocked.rejectedBeforeParse(event));
    return rejected.response;
  }

  function readPresence(): AgentPresence {
    try {
      return options.presence?.() ?? AVAILABLE;
    } catch (error) {
      // Fail open: a broken preference source lets calls ring.
      report('agent presence', error);
      return AVAILABLE;
    }
  }

  function ring(line: PhoneLine, invitation: Invitation, identity: CallerIdentity, decision: Decision): void {
    const presence = readPresence();
    const busy = registry.all().length > 0;
    const remote = remoteDisplay(identity, invitation);
    // Neither Do not disturb nor "refuse a second call" refuses the emergency call-back (SPEC §1.4).
    if (decision.verdict.why !== 'callback_window') {
      const refusal =
        presence.availability === 'dnd'
          ? { reason: 'dnd' as const, response: presence.dndResponse === 480 ? UNAVAILABLE : BUSY_HERE }
          : presence.refuseSecondCall && busy
            ? { reason: 'busy' as const, response: BUSY_HERE }
            : null;
      if (refusal) {
        void invitation.reject(refusal.response).catch((error) => report('refusing a call', error));
        emit('onCallRefused', {
          accountId: line.account.id,
          line: line.account.lineNumber,
          number: identity.kind === 'number' ? identity.e164 : null,
          remote,
          reason: refusal.reason,
          statusCode: refusal.response.statusCode,
          at: Date.now(),
        });
        return;
      }
    }
    const record = track(line, invitation, {
      direction: 'inbound',
      number: identity.kind === 'number' ? identity.e164 : null,
      remote,
      verification: verificationStatus(identity.verification),
      state: 'incoming',
      emergency: false,
    });
    // We send 180 ourselves only now that the call is allowed (sip.js's own is turned off).
    void invitation.progress({ statusCode: 180 }).catch((error) => report('sending 180 Ringing', error));
    followWaiting();
    emit('onIncomingCall', { call: { ...record.snapshot }, decision, identity });
    try {
      const lineNumber = line.account.lineNumber;
      followAutoAnswer({
        plan: autoAnswerPlan(
          presence,
          lineNumber === null ? null : policy.getLine(lineNumber),
          { get: (name) => invitation.request.getHeaders(name) },
          busy,
        ),
        session: invitation,
        ringing: () => record.snapshot.state === 'incoming',
        answer: () => controls.answer(record.snapshot.id),
        onError: (error) => report('auto-answer', error),
      });
    } catch (error) {
      // The call already rings: a broken auto-answer leaves it ringing.
      report('auto-answer', error);
    }
  }

  // ---------------------------------------------------------------------------------------------- outbound

  function pickLine(accountId: string | undefined): PhoneLine | null {
    if (accountId !== undefined) return lines.find((line) => line.account.id === accountId) ?? null;
    return lines.find((line) => line.isRegistered()) ?? lines[0] ?? null;
  }

  async function placeCall(
    dialed: string,
    callOptions: { accountId?: string } = {},
  ): Promise<PlaceCallResult> {
    if (disposed) return { kind: 'refused', message: 'The phone is shut down.' };
    const line = pickLine(callOptions.accountId);
    if (!line) {
      return {
        kind: 'refused',
        message: callOptions.accountId
          ? `No SIP account ${callOptions.accountId}.`
          : 'No SIP account is set up.',
      };
    }
    // Decided BEFORE any Inviter exists: a blocked number never produces an INVITE (SPEC §3.5).
    const outcome = decideOutbound(dialed, line.account.lineNumber, line.domain, policy);
    if (outcome.kind === 'refused') return outcome;
    if (outcome.kind === 'block') {
      const event = blockedCallEvent({
        sipCallId: null,
        direction: 'outbound',
        accountId: line.account.id,
        line: line.account.lineNumber,
        decision: outcome.decision,
        identity: null,
        dialed,
        handling: 'local-announcement',
      });
      blocked.outbound(event);
      return { kind: 'blocked', event };
    }
    const emergency = outcome.kind === 'emergency';
    const target = UserAgent.makeURI(outcome.target);
    if (!target) return { kind: 'refused', message: `Cannot call "${dialed}".` };
    const inviter = new Inviter(line.userAgent, target, {
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
    });
    const record = await dial(line, inviter, {
      dialed,
      number: outcome.kind === 'allow' ? outcome.number : null,
      emergency,
      // Sent as DTMF once the call connects: the number dialled is the main one (SPEC §1.1a).
      ...(outcome.kind === 'allow' && outcome.extension !== undefined
        ? { extension: outcome.extension }
        : {}),
    });
    return { kind: 'placed', callId: record.snapshot.id, emergency };
  }

  /** Tracks a call and decides any REFER it receives like a dialled number. */
  function track(line: PhoneLine, session: CallSession, initial: NewCall): CallRecord {
    const record = registry.track(line, session, initial);
    handleInboundRefers(record, {
      policy,
      dial: (referred, inviter, call) => void dial(referred.line, inviter, call),
      onBlocked: (event) => emit('onBlockedCall', event),
      onRefused: (event) => emit('onTransferRefused', event),
      onError: report,
    });
    return record;
  }

  /** Sends an outbound call's INVITE (already decided) and tracks it. */
  async function dial(line: PhoneLine, inviter: Inviter, call: ReferredCall): Promise<CallRecord> {
    const record = track(line, inviter, {
      direction: 'outbound',
      number: call.number,
      remote: call.dialed.trim(),
      verification: null,
      state: 'dialing',
      emergency: call.emergency,
    });
    if (call.extension !== undefined) {
      dialExtensionOnConnect(
        inviter,
        call.extension,
        (tones) => controls.sendDtmf(record.snapshot.id, tones),
        (error) => report('dialling the extension', error),
      );
    }
    try {
      await inviter.invite({
        requestDelegate: {
          onProgress: (response) => {
            if (response.message.statusCode === 180 || response.message.statusCode === 183) {
              if (record.snapshot.state === 'dialing') registry.update(record, { state: 'ringing' });
            }
          },
          onReject: (response) => {
            registry.update(record, {
              endReason: `failed: ${response.message.statusCode} ${response.message.reasonPhrase}`,
            });
          },
        },
      });
    } catch (error) {
      registry.update(record, { endReason: `failed: ${errorMessage(error)}` });
      report('placing a call', error);
    }
    if (call.emergency) emit('onEmergencyCallPlaced', Date.now());
    return record;
  }

  const attendedTransfer = createAttendedTransfer({
    registry,
    policy,
    controls,
    placeCall,
    onError: report,
  });
  const conference = createConference({ registry, controls, output, onError: report });

  return {
    lines: () => lines.map((line) => line.snapshot()),
    calls: () => registry.snapshots(),
    placeCall,
    ...controls,
    ...attendedTransfer,
    merge: conference.merge,
    leaveConference: conference.leaveConference,
    // In a conference the microphone leaves the mix, so the two parties keep hearing each other.
    mute: (callId, muted) => {
      if (!conference.muteInConference(callId, muted)) controls.mute(callId, muted);
    },
    announceAndHangUp: async (callId) => {
      const record = registry.require(callId);
      registry.update(record, { endReason: 'blocked_by_agent' });
      await announceAndEnd(record, audio, clips.inbound);
    },
    callIceServers: (callId) => {
      const handler = registry.get(callId)?.session.sessionDescriptionHandler;
      if (!(handler instanceof Web.SessionDescriptionHandler) || !handler.peerConnection) return null;
      return handler.peerConnection.getConfiguration().iceServers ?? [];
    },
    callMediaStats: async (callId) => {
      const record = registry.get(callId);
      return record ? mediaStats(record.session, record.remoteAudio) : null;
    },
    restartIce: async (callId) => {
      const watch = iceWatches.get(callId);
      if (!watch) throw new Error('only a connected call can reconnect its media');
      await watch.restartNow();
    },
    callMicrophoneDeviceId: (callId) => {
      const handler = registry.get(callId)?.session.sessionDescriptionHandler;
      if (!(handler instanceof Web.SessionDescriptionHandler)) return null;
      return handler.localMediaStream.getAudioTracks()[0]?.getSettings().deviceId ?? null;
    },
    outputSinkId: () => output.currentSinkId(),
    setOutputDevice: (deviceId) => devices.setOutput(deviceId),
    outputLevel: (channel) => output.level(channel),
    outputLevelAt: (channel, frequencyHz) => output.levelAt(channel, frequencyHz),
    setInputDevice: (deviceId) => devices.setInput(deviceId),
    previewAnnouncement: async (which) => {
      await audio.playLocally(clips[which]);
    },
    useAnnouncement: async (kind, clip) => {
      const previous = clips[kind];
      if (clip === null) clips[kind] = builtInClips[kind];
      else {
        const key = `org-announcement:${kind}:${clip.version}`;
        if (key === previous) return;
        // Decoded before it is put in force: a blocked call never waits for it, nor gets a broken clip.
        await audio.provide(key, clip.audio);
        clips[kind] = key;
      }
      if (previous !== clips[kind] && previous !== builtInClips[kind]) audio.forget(previous);
    },
    recover: async (event) => {
      await Promise.all(lines.map((line) => line.recover(event)));
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      devices.dispose();
      waitingTone.stop();
      for (const record of registry.all()) endQuietly(record.session);
      await Promise.all(lines.map((line) => line.dispose()));
      if (ownsOutput) await output.close();
    },
  };
}

export type { BlockedHandling };
