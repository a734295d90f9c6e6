/**
 * The phone: one PhoneLine per SIP account, call interception on every INVITE (SPEC §3), and the in-call
 * controls. The UI talks to it with call IDs and receives plain snapshots; sip.js objects never leave.
 */
import {
  Invitation,
  Inviter,
  Session,
  SessionState,
  UserAgent,
  Web,
  type SessionDescriptionHandlerFactory,
} from 'sip.js';
import type { Decision } from '../../shared/decision.types';
import type { CallerIdentity } from '../../shared/identity.types';
import { verificationStatus } from '../../shared/identity';
import { AnnouncementAudio, type OutgoingAnnouncement } from './announcement';
import { decideInbound, decideOutbound, failOpenDecision, invitesReliableProvisional } from './interception';
import { PhoneLine } from './phone-line';
import { monitorCallQuality } from './quality-monitor';
import type {
  BlockedCallEvent,
  BlockedCallFinished,
  BlockedHandling,
  CallSnapshot,
  Phone,
  PhoneEvents,
  PhoneOptions,
  PlaceCallResult,
} from './types';
import { errorMessage } from '../../shared/error-message';

/** Tail kept after the clip before the final response, so the caller hears its end (measured ≈ 300 ms). */
const ANNOUNCEMENT_TAIL_MS = 300;
const DEFAULT_MEDIA_CONNECT_TIMEOUT_MS = 2000;
const DTMF_PATTERN = /^[0-9A-D#*,]+$/i;

interface CallRecord {
  snapshot: CallSnapshot;
  session: Invitation | Inviter;
  line: PhoneLine;
  remoteAudio: HTMLAudioElement | null;
  analyser: { context: AudioContext; node: AnalyserNode } | null;
  stopQualityMonitor: (() => void) | null;
}

export interface CallMediaStats {
  packetsSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** RMS (0–1) of the remote audio over the last ~20 ms. */
  remoteLevel: number;
}

export interface PhoneWithDiagnostics extends Phone {
  /** Media counters of a live call (for a quality indicator, and for tests). */
  callMediaStats(callId: string): Promise<CallMediaStats | null>;
}

let nextId = 0;
function newId(prefix: string): string {
  nextId += 1;
  const random =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID()
      : String(Math.random()).slice(2);
  return `${prefix}-${random}-${nextId}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

/** Resolves when the peer connection is connected (media can flow), or after `timeoutMs` anyway. */
function waitForMediaConnected(session: Session, timeoutMs: number): Promise<boolean> {
  const handler = session.sessionDescriptionHandler;
  if (!(handler instanceof Web.SessionDescriptionHandler)) return Promise.resolve(false);
  const connection = handler.peerConnection;
  if (!connection) return Promise.resolve(false);
  const isConnected = (): boolean =>
    connection.connectionState === 'connected' ||
    connection.iceConnectionState === 'connected' ||
    connection.iceConnectionState === 'completed';
  if (isConnected()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const check = (): void => {
      if (!isConnected()) return;
      cleanup();
      resolve(true);
    };
    const timer = setTimeout(() => {
      cleanup();
      resolve(false);
    }, timeoutMs);
    function cleanup(): void {
      clearTimeout(timer);
      connection?.removeEventListener('connectionstatechange', check);
      connection?.removeEventListener('iceconnectionstatechange', check);
    }
    connection.addEventListener('connectionstatechange', check);
    connection.addEventListener('iceconnectionstatechange', check);
  });
}

/** Resolves once the session has terminated (or at once if it already has). */
function whenTerminated(session: Session): Promise<void> {
  if (session.state === SessionState.Terminated) return Promise.resolve();
  return new Promise((resolve) => {
    const listener = (state: SessionState): void => {
      if (state !== SessionState.Terminated) return;
      session.stateChange.removeListener(listener);
      resolve();
    };
    session.stateChange.addListener(listener);
  });
}

export function createPhone(options: PhoneOptions): PhoneWithDiagnostics {
  const events: PhoneEvents = options.events ?? {};
  const policy = options.policy;
  const audio = new AnnouncementAudio(options.audio.outputDeviceId ?? null);
  let inputDeviceId = options.audio.inputDeviceId ?? null;
  let outputDeviceId = options.audio.outputDeviceId ?? null;
  const mediaConnectTimeoutMs = Math.min(
    options.mediaConnectTimeoutMs ?? DEFAULT_MEDIA_CONNECT_TIMEOUT_MS,
    2000,
  );
  const calls = new Map<string, CallRecord>();
  /** Sessions whose outgoing audio is an announcement clip instead of a microphone. */
  const announcementBySession = new WeakMap<Session, OutgoingAnnouncement>();
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

  // The microphone is opened only for calls the agent takes or places; blocked calls get the clip stream.
  const microphoneFactory: Web.MediaStreamFactory = (constraints) => {
    if (!constraints.audio) return Promise.resolve(new MediaStream());
    const audioConstraints: MediaTrackConstraints | boolean = inputDeviceId
      ? { deviceId: { exact: inputDeviceId } }
      : true;
    return navigator.mediaDevices.getUserMedia({ audio: audioConstraints, video: false });
  };

  const sessionDescriptionHandlerFactory: SessionDescriptionHandlerFactory = (session, factoryOptions) => {
    const announcement = announcementBySession.get(session);
    const mediaStreamFactory: Web.MediaStreamFactory = announcement
      ? () => Promise.resolve(announcement.stream)
      : microphoneFactory;
    const configured = (factoryOptions ?? {}) as Partial<Web.SessionDescriptionHandlerConfiguration>;
    const configuration: Web.SessionDescriptionHandlerConfiguration = {
      iceGatheringTimeout: configured.iceGatheringTimeout ?? 500,
      peerConnectionConfiguration: {
        ...Web.defaultPeerConnectionConfiguration(),
        ...(configured.peerConnectionConfiguration ?? {}),
      },
    };
    const logger = session.userAgent.getLogger('sip.SessionDescriptionHandler');
    return new Web.SessionDescriptionHandler(logger, mediaStreamFactory, configuration);
  };

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
          reconnect: options.reconnect ?? { initialDelayMs: 1000, maxDelayMs: 30_000 },
          onInvite: (line, invitation) => handleInvite(line, invitation),
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
      const event: BlockedCallEvent = {
        id: newId('blocked'),
        sipCallId: safeCallId(invitation),
        direction: 'inbound',
        accountId: line.account.id,
        line: lineNumber,
        decision,
        identity,
        dialed: null,
        handling,
        at: Date.now(),
      };
      if (handling === 'reject') {
        // Answer first, bookkeeping after: the 603 is what the caller is waiting for.
        void invitation
          .reject({ statusCode: 603, reasonPhrase: 'Decline' })
          .then(() => finishBlocked(event, 'rejected', 0))
          .catch((error) => finishBlocked(event, `failed: ${errorMessage(error)}`, 0));
        emit('onBlockedCall', event);
        return;
      }
      emit('onBlockedCall', event);
      void announceToCaller(invitation, event).catch((error) => {
        report('announcement to a blocked caller', error);
        finishBlocked(event, `failed: ${errorMessage(error)}`, 0);
        endQuietly(invitation);
      });
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

  function safeCallId(session: Invitation | Inviter): string | null {
    try {
      return session.request.callId || null;
    } catch {
      return null;
    }
  }

  function finishBlocked(event: BlockedCallEvent, outcome: string, playedMs: number): void {
    const finished: BlockedCallFinished = {
      id: event.id,
      handling: event.handling,
      outcome,
      playedMs,
      endedAt: Date.now(),
    };
    emit('onBlockedCallFinished', finished);
  }

  function endQuietly(session: Invitation | Inviter): void {
    try {
      if (session.state === SessionState.Established) void session.bye().catch(() => undefined);
      else if (session instanceof Invitation && session.state === SessionState.Initial)
        void session.reject({ statusCode: 603 }).catch(() => undefined);
      else if (session instanceof Inviter && session.state === SessionState.Establishing)
        void session.cancel().catch(() => undefined);
    } catch {
      // Already over.
    }
  }

  async function announceToCaller(invitation: Invitation, event: BlockedCallEvent): Promise<void> {
    const announcement = audio.createOutgoing(options.audio.inboundClipUrl);
    announcementBySession.set(invitation, announcement);
    let callerLeft = false;
    void whenTerminated(invitation).then(() => {
      callerLeft = true;
      announcement.stop();
    });
    const sessionDescriptionHandlerOptions = { constraints: { audio: true, video: false } };
    try {
      if (event.handling === 'early-media') {
        // A 183 with SDP; reliable (PRACK) only when the caller supports or requires 100rel.
        await invitation.progress({
          statusCode: 183,
          reasonPhrase: 'Session Progress',
          rel100: invitesReliableProvisional(invitation.request),
          sessionDescriptionHandlerOptions,
        });
      } else {
        await invitation.accept({ sessionDescriptionHandlerOptions });
      }
      if (callerLeft) {
        finishBlocked(event, 'caller_left', 0);
        return;
      }
      await waitForMediaConnected(invitation, mediaConnectTimeoutMs);
      const playedMs = callerLeft ? 0 : await announcement.play();
      if (!callerLeft) await delay(ANNOUNCEMENT_TAIL_MS);
      if (callerLeft || invitation.state === SessionState.Terminated) {
        finishBlocked(event, 'caller_left', playedMs);
        return;
      }
      if (event.handling === 'early-media')
        await invitation.reject({ statusCode: 603, reasonPhrase: 'Decline' });
      else await invitation.bye();
      finishBlocked(event, 'announced', playedMs);
    } finally {
      announcement.stop();
    }
  }

  function ring(line: PhoneLine, invitation: Invitation, identity: CallerIdentity, decision: Decision): void {
    const record = track(line, invitation, {
      direction: 'inbound',
      number: identity.kind === 'number' ? identity.e164 : null,
      remote: remoteDisplay(identity, invitation),
      verification: verificationStatus(identity.verification),
      state: 'incoming',
      emergency: false,
    });
    // We send 180 ourselves only now that the call is allowed (sip.js's own is turned off).
    void invitation.progress({ statusCode: 180 }).catch((error) => report('sending 180 Ringing', error));
    emit('onIncomingCall', { call: { ...record.snapshot }, decision, identity });
  }

  // ---------------------------------------------------------------------------------------------- calls

  function track(
    line: PhoneLine,
    session: Invitation | Inviter,
    initial: Pick<CallSnapshot, 'direction' | 'number' | 'remote' | 'verification' | 'state' | 'emergency'>,
  ): CallRecord {
    const snapshot: CallSnapshot = {
      id: newId('call'),
      accountId: line.account.id,
      line: line.account.lineNumber,
      muted: false,
      held: false,
      startedAt: Date.now(),
      connectedAt: null,
      endedAt: null,
      endReason: null,
      sipCallId: safeCallId(session),
      ...initial,
    };
    const record: CallRecord = {
      snapshot,
      session,
      line,
      remoteAudio: null,
      analyser: null,
      stopQualityMonitor: null,
    };
    calls.set(snapshot.id, record);
    session.stateChange.addListener((state) => {
      try {
        if (state === SessionState.Established) {
          update(record, { state: 'connected', connectedAt: Date.now() });
          attachRemoteAudio(record);
          startQualityMonitor(record);
        } else if (state === SessionState.Terminated) {
          const wasConnected = record.snapshot.connectedAt !== null;
          const endReason =
            record.snapshot.endReason ??
            (wasConnected
              ? 'remote_hangup'
              : record.snapshot.direction === 'inbound'
                ? 'cancelled'
                : 'failed');
          detachRemoteAudio(record);
          record.stopQualityMonitor?.();
          update(record, { state: 'ended', endedAt: Date.now(), endReason });
          calls.delete(snapshot.id);
        }
      } catch (error) {
        report('call state', error);
      }
    });
    return record;
  }

  function update(record: CallRecord, patch: Partial<CallSnapshot>): void {
    record.snapshot = { ...record.snapshot, ...patch };
    emit('onCallChange', { ...record.snapshot });
  }

  function attachRemoteAudio(record: CallRecord): void {
    const handler = record.session.sessionDescriptionHandler;
    if (!(handler instanceof Web.SessionDescriptionHandler)) return;
    const element = new Audio();
    element.autoplay = true;
    element.srcObject = handler.remoteMediaStream;
    if (outputDeviceId && 'setSinkId' in element) {
      void element.setSinkId(outputDeviceId).catch((error) => report('selecting the output device', error));
    }
    void element.play().catch((error) => report('playing call audio', error));
    record.remoteAudio = element;
    try {
      const context = new AudioContext();
      const analyser = context.createAnalyser();
      analyser.fftSize = 1024;
      context.createMediaStreamSource(handler.remoteMediaStream).connect(analyser);
      record.analyser = { context, node: analyser };
    } catch (error) {
      report('call level meter', error);
    }
  }

  function startQualityMonitor(record: CallRecord): void {
    record.stopQualityMonitor = monitorCallQuality({
      getStats: () => {
        const handler = record.session.sessionDescriptionHandler;
        if (!(handler instanceof Web.SessionDescriptionHandler) || !handler.peerConnection) return null;
        return handler.peerConnection.getStats().then((report) => report.values());
      },
      onQuality: (quality) => update(record, { quality }),
      onError: (error) => report('reading call quality', error),
    });
  }

  function detachRemoteAudio(record: CallRecord): void {
    if (record.remoteAudio) {
      record.remoteAudio.pause();
      record.remoteAudio.srcObject = null;
      record.remoteAudio = null;
    }
    if (record.analyser) {
      void record.analyser.context.close().catch(() => undefined);
      record.analyser = null;
    }
  }

  function requireCall(callId: string): CallRecord {
    const record = calls.get(callId);
    if (!record) throw new Error(`no call with id ${callId}`);
    return record;
  }

  function pickLine(accountId: string | undefined): PhoneLine | null {
    if (accountId !== undefined) return lines.find((line) => line.account.id === accountId) ?? null;
    return lines.find((line) => line.isRegistered()) ?? lines[0] ?? null;
  }

  // ---------------------------------------------------------------------------------------------- outbound

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
      const event: BlockedCallEvent = {
        id: newId('blocked'),
        sipCallId: null,
        direction: 'outbound',
        accountId: line.account.id,
        line: line.account.lineNumber,
        decision: outcome.decision,
        identity: null,
        dialed,
        handling: 'local-announcement',
        at: Date.now(),
      };
      emit('onBlockedCall', event);
      void audio
        .playLocally(options.audio.outboundClipUrl)
        .then((playedMs) => finishBlocked(event, 'announced', playedMs))
        .catch((error) => {
          report('playing the outbound announcement', error);
          finishBlocked(event, `failed: ${errorMessage(error)}`, 0);
        });
      return { kind: 'blocked', event };
    }
    const emergency = outcome.kind === 'emergency';
    const target = UserAgent.makeURI(outcome.target);
    if (!target) return { kind: 'refused', message: `Cannot call "${dialed}".` };
    const inviter = new Inviter(line.userAgent, target, {
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
    });
    const record = track(line, inviter, {
      direction: 'outbound',
      number: outcome.kind === 'allow' ? outcome.number : null,
      remote: dialed.trim(),
      verification: null,
      state: 'dialing',
      emergency,
    });
    try {
      await inviter.invite({
        requestDelegate: {
          onProgress: (response) => {
            if (response.message.statusCode === 180 || response.message.statusCode === 183) {
              if (record.snapshot.state === 'dialing') update(record, { state: 'ringing' });
            }
          },
          onReject: (response) => {
            update(record, {
              endReason: `failed: ${response.message.statusCode} ${response.message.reasonPhrase}`,
            });
          },
        },
      });
    } catch (error) {
      update(record, { endReason: `failed: ${errorMessage(error)}` });
      report('placing a call', error);
    }
    if (emergency) emit('onEmergencyCallPlaced', Date.now());
    return { kind: 'placed', callId: record.snapshot.id, emergency };
  }

  // ---------------------------------------------------------------------------------------------- controls

  async function answer(callId: string): Promise<void> {
    const record = requireCall(callId);
    if (!(record.session instanceof Invitation)) throw new Error('only an incoming call can be answered');
    await record.session.accept({
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
    });
  }

  async function decline(callId: string): Promise<void> {
    const record = requireCall(callId);
    if (!(record.session instanceof Invitation)) throw new Error('only an incoming call can be declined');
    update(record, { endReason: 'declined' });
    await record.session.reject({ statusCode: 486, reasonPhrase: 'Busy Here' });
  }

  async function hangup(callId: string): Promise<void> {
    const record = requireCall(callId);
    const { session } = record;
    update(record, { endReason: 'hangup' });
    if (session.state === SessionState.Established) await session.bye();
    else if (session instanceof Inviter) await session.cancel();
    else if (session.state === SessionState.Initial)
      await session.reject({ statusCode: 486, reasonPhrase: 'Busy Here' });
  }

  function mute(callId: string, muted: boolean): void {
    const record = requireCall(callId);
    const handler = record.session.sessionDescriptionHandler;
    if (handler instanceof Web.SessionDescriptionHandler)
      handler.enableSenderTracks(!muted && !record.snapshot.held);
    update(record, { muted });
  }

  async function hold(callId: string, held: boolean): Promise<void> {
    const record = requireCall(callId);
    const { session } = record;
    if (session.state !== SessionState.Established) throw new Error('only a connected call can be held');
    if (record.snapshot.held === held) return;
    const handler = session.sessionDescriptionHandler;
    if (!(handler instanceof Web.SessionDescriptionHandler)) throw new Error('the call has no media handler');
    const reInviteOptions: Web.SessionDescriptionHandlerOptions = {
      ...session.sessionDescriptionHandlerOptionsReInvite,
      hold: held,
    };
    session.sessionDescriptionHandlerOptionsReInvite = reInviteOptions;
    await new Promise<void>((resolve, reject) => {
      session
        .invite({
          requestDelegate: {
            onAccept: () => {
              handler.enableReceiverTracks(!held);
              handler.enableSenderTracks(!held && !record.snapshot.muted);
              update(record, { held });
              resolve();
            },
            onReject: (response) =>
              reject(
                new Error(`hold refused: ${response.message.statusCode} ${response.message.reasonPhrase}`),
              ),
          },
        })
        .catch(reject);
    });
  }

  async function sendDtmf(callId: string, tones: string): Promise<void> {
    if (!DTMF_PATTERN.test(tones)) throw new Error(`"${tones}" is not DTMF: use 0-9, A-D, * and #`);
    const record = requireCall(callId);
    const { session } = record;
    if (session.state !== SessionState.Established) throw new Error('DTMF needs a connected call');
    const handler = session.sessionDescriptionHandler;
    // RFC 4733 telephone-events in the media when negotiated, SIP INFO otherwise.
    if (handler instanceof Web.SessionDescriptionHandler && handler.sendDtmf(tones)) return;
    for (const tone of tones.replace(/,/g, '')) {
      await session.info({
        requestOptions: {
          body: {
            contentDisposition: 'render',
            contentType: 'application/dtmf-relay',
            content: `Signal=${tone}\r\nDuration=160`,
          },
        },
      });
    }
  }

  async function transfer(callId: string, target: string): Promise<void> {
    const record = requireCall(callId);
    if (record.session.state !== SessionState.Established)
      throw new Error('only a connected call can be transferred');
    const outcome = decideOutbound(target, record.line.account.lineNumber, record.line.domain, policy);
    if (outcome.kind === 'refused') throw new Error(outcome.message);
    // A transfer is a call placed for the agent: the outbound list applies to it too.
    if (outcome.kind === 'block') throw new Error(`transfer blocked: ${outcome.decision.explanation}`);
    const uri = UserAgent.makeURI(outcome.target);
    if (!uri) throw new Error(`cannot transfer to "${target}"`);
    await record.session.refer(uri);
  }

  async function callMediaStats(callId: string): Promise<CallMediaStats | null> {
    const record = calls.get(callId);
    const handler = record?.session.sessionDescriptionHandler;
    if (!record || !(handler instanceof Web.SessionDescriptionHandler) || !handler.peerConnection)
      return null;
    const stats = { packetsSent: 0, packetsReceived: 0, bytesReceived: 0, remoteLevel: 0 };
    const report = await handler.peerConnection.getStats();
    report.forEach(
      (entry: {
        type?: string;
        kind?: string;
        packetsSent?: number;
        packetsReceived?: number;
        bytesReceived?: number;
      }) => {
        if (entry.type === 'outbound-rtp' && entry.kind === 'audio')
          stats.packetsSent += entry.packetsSent ?? 0;
        if (entry.type === 'inbound-rtp' && entry.kind === 'audio') {
          stats.packetsReceived += entry.packetsReceived ?? 0;
          stats.bytesReceived += entry.bytesReceived ?? 0;
        }
      },
    );
    if (record.analyser) {
      const samples = new Float32Array(record.analyser.node.fftSize);
      record.analyser.node.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      stats.remoteLevel = Math.sqrt(sum / samples.length);
    }
    return stats;
  }

  return {
    lines: () => lines.map((line) => line.snapshot()),
    calls: () => [...calls.values()].map((record) => ({ ...record.snapshot })),
    placeCall,
    answer,
    decline,
    hangup,
    mute,
    hold,
    sendDtmf,
    transfer,
    callMediaStats,
    setOutputDevice: async (deviceId) => {
      outputDeviceId = deviceId;
      audio.setOutputDevice(deviceId);
      for (const record of calls.values()) {
        const element = record.remoteAudio;
        if (element && 'setSinkId' in element) await element.setSinkId(deviceId ?? '');
      }
    },
    setInputDevice: (deviceId) => {
      inputDeviceId = deviceId;
    },
    previewAnnouncement: async (which) => {
      await audio.playLocally(
        which === 'inbound' ? options.audio.inboundClipUrl : options.audio.outboundClipUrl,
      );
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      for (const record of calls.values()) endQuietly(record.session);
      await Promise.all(lines.map((line) => line.dispose()));
      await audio.close();
    },
  };
}

export type { BlockedHandling };
