/**
 * A WebRTC caller nobody on the project wrote the phone for: a plain sip.js user agent in a second
 * browser page, calling the app over the lab's Kamailio the way another softphone would. It accepts
 * early media (so a blocked caller can hear the announcement) and measures what it hears.
 */
import { Inviter, SessionState, UserAgent, Web } from 'sip.js';
import { sampleLevels, type CallerApi, type CallerCall } from './api';

interface ActiveCall {
  inviter: Inviter;
  userAgent: UserAgent;
  result: CallerCall;
  analyser: AnalyserNode | null;
  context: AudioContext | null;
  meter: ReturnType<typeof setInterval> | null;
  /** The loudest level since the last `peakFor` started. */
  windowPeak: number;
  /** The call a followed REFER started, or null. */
  referredId: string | null;
  /** In-dialog INVITEs the far end sent (re-INVITEs: hold, ICE restart). */
  reInvites: number;
  /** The microphone track while sending is stopped. */
  pausedTrack: MediaStreamTrack | null;
}

const calls = new Map<string, ActiveCall>();
let nextCall = 1;
/** The status a REFER is refused with, or null to follow it. */
let referRefusal: number | null = null;

function listen(call: ActiveCall): void {
  const handler = call.inviter.sessionDescriptionHandler;
  if (call.analyser || !(handler instanceof Web.SessionDescriptionHandler)) return;
  // Chromium feeds remote WebRTC audio to Web Audio only while an element plays it too.
  const element = new Audio();
  element.muted = true;
  element.srcObject = handler.remoteMediaStream;
  void element.play().catch(() => undefined);
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  analyser.smoothingTimeConstant = 0;
  context.createMediaStreamSource(handler.remoteMediaStream).connect(analyser);
  call.context = context;
  call.analyser = analyser;
  const samples = new Float32Array(analyser.fftSize);
  call.meter = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    const level = Math.sqrt(sum / samples.length);
    call.windowPeak = Math.max(call.windowPeak, level);
    const phase = call.result.established ? 'peakEstablished' : 'peakEarlyMedia';
    call.result[phase] = Math.max(call.result[phase], level);
  }, 20);
}

function stopListening(call: ActiveCall): void {
  if (call.meter !== null) clearInterval(call.meter);
  call.meter = null;
  void call.context?.close().catch(() => undefined);
}

/** Measures a call and follows a REFER the way plain sip.js does (Replaces copied), tracking the new call. */
function trackCall(inviter: Inviter, userAgent: UserAgent): ActiveCall {
  const id = `caller-${nextCall++}`;
  const call: ActiveCall = {
    inviter,
    userAgent,
    analyser: null,
    context: null,
    meter: null,
    windowPeak: 0,
    referredId: null,
    reInvites: 0,
    pausedTrack: null,
    result: {
      id,
      responses: [],
      established: false,
      ended: false,
      endedAt: null,
      peakEarlyMedia: 0,
      peakEstablished: 0,
    },
  };
  calls.set(id, call);
  inviter.delegate = {
    onInvite: () => {
      call.reInvites += 1;
    },
    onRefer: (referral) => {
      if (referRefusal !== null) {
        void referral.reject({ statusCode: referRefusal });
        return;
      }
      void referral.accept().then(() => {
        const referred = referral.makeInviter({
          sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
        });
        call.referredId = trackCall(referred, userAgent).result.id;
        return referred.invite();
      });
    },
  };
  inviter.stateChange.addListener((state) => {
    if (state === SessionState.Established) {
      call.result.established = true;
      listen(call);
    }
    if (state === SessionState.Terminated) {
      call.result.ended = true;
      call.result.endedAt = Date.now();
      stopListening(call);
      // The user agent stays while a call it was transferred into goes on.
      const live = [...calls.values()].some((other) => other.userAgent === userAgent && !other.result.ended);
      if (!live) void userAgent.stop().catch(() => undefined);
    }
  });
  return call;
}

const api: CallerApi = {
  async call(from, target) {
    const uri = UserAgent.makeURI(`sip:${from}@127.0.0.1`);
    const targetUri = UserAgent.makeURI(target);
    if (!uri || !targetUri) throw new Error(`bad caller ${from} or target ${target}`);
    const userAgent = new UserAgent({
      uri,
      displayName: 'WebRTC caller',
      transportOptions: { server: 'ws://127.0.0.1:8080' },
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 500,
      },
      logLevel: 'error',
    });
    await userAgent.start();
    const inviter = new Inviter(userAgent, targetUri, {
      earlyMedia: true,
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
    });
    const call = trackCall(inviter, userAgent);
    const recordResponse = (status: number | undefined) =>
      call.result.responses.push({ status: status ?? -1, atMs: performance.now() });
    const startedMs = performance.now();
    call.result.responses.push({ status: 0, atMs: startedMs }); // the INVITE itself
    await inviter.invite({
      requestDelegate: {
        onProgress: (response) => {
          recordResponse(response.message.statusCode);
          // Early media: the SDP in a 183 is applied by sip.js before this runs.
          if (response.message.statusCode === 183) setTimeout(() => listen(call), 0);
        },
        onAccept: (response) => recordResponse(response.message.statusCode),
        onReject: (response) => recordResponse(response.message.statusCode),
      },
    });
    return call.result.id;
  },
  result(id) {
    const call = calls.get(id);
    if (!call) throw new Error(`no call ${id}`);
    return JSON.parse(JSON.stringify(call.result)) as CallerCall;
  },
  referredCall(id) {
    return calls.get(id)?.referredId ?? null;
  },
  refuseRefers(statusCode) {
    referRefusal = statusCode;
  },
  async hangup(id) {
    const call = calls.get(id);
    if (!call) return;
    if (call.inviter.state === SessionState.Established) await call.inviter.bye();
    else if (call.inviter.state === SessionState.Establishing) await call.inviter.cancel();
  },
  async peakFor(id, durationMs) {
    const call = calls.get(id);
    if (!call) throw new Error(`no call ${id}`);
    call.windowPeak = 0;
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    return call.windowPeak;
  },
  async levelsAt(id, frequencies, durationMs) {
    const call = calls.get(id);
    const analyser = call?.analyser;
    if (!analyser) throw new Error(`no call ${id} with audio`);
    const spectrum = new Float32Array(analyser.frequencyBinCount);
    return sampleLevels(
      frequencies,
      durationMs,
      () => analyser.getFloatFrequencyData(spectrum),
      (frequency) => {
        const bin = Math.round((frequency * analyser.fftSize) / analyser.context.sampleRate);
        return Math.max(spectrum[bin - 1] ?? -200, spectrum[bin] ?? -200, spectrum[bin + 1] ?? -200);
      },
    );
  },
  reInvites(id) {
    return calls.get(id)?.reInvites ?? 0;
  },
  async stopSending(id, stopped) {
    const call = calls.get(id);
    const handler = call?.inviter.sessionDescriptionHandler;
    if (!call || !(handler instanceof Web.SessionDescriptionHandler))
      throw new Error(`no call ${id} with media`);
    const sender = handler.peerConnection
      ?.getTransceivers()
      .find((transceiver) => transceiver.receiver.track.kind === 'audio')?.sender;
    if (!sender) throw new Error(`call ${id} sends no audio`);
    // No track: Chromium sends no RTP at all (RTCP and ICE checks go on), with the SDP still sendrecv —
    // what a far end with silence suppression, or a PBX with nothing to play, looks like on the wire.
    if (stopped && call.pausedTrack === null) {
      call.pausedTrack = sender.track;
      await sender.replaceTrack(null);
    } else if (!stopped && call.pausedTrack !== null) {
      await sender.replaceTrack(call.pausedTrack);
      call.pausedTrack = null;
    }
  },
  refer(id, target) {
    const call = calls.get(id);
    const uri = UserAgent.makeURI(target);
    if (!call || !uri) return Promise.reject(new Error(`no call ${id} or bad target ${target}`));
    return new Promise<number>((resolve, reject) => {
      call.inviter
        .refer(uri, {
          requestDelegate: {
            onAccept: (response) => resolve(response.message.statusCode ?? -1),
            onReject: (response) => resolve(response.message.statusCode ?? -1),
          },
        })
        .catch(reject);
    });
  },
};

window.caller = api;
