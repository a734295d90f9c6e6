/**
 * A live call's media as seen from the app: the remote audio played on the chosen output device, a level
 * meter on it, the RTP counters, and the wait for the peer connection to carry media. Everything here
 * takes a sip.js session and gives back plain values.
 */
import { Web, type Session } from 'sip.js';

export interface CallMediaStats {
  packetsSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** RMS (0–1) of the remote audio over the last ~20 ms. */
  remoteLevel: number;
}

/** The audio element and level meter of one call's remote stream. */
export interface RemoteAudio {
  element: HTMLAudioElement;
  analyser: { context: AudioContext; node: AnalyserNode } | null;
}

type ReportError = (context: string, error: unknown) => void;

function mediaHandlerOf(session: Session): Web.SessionDescriptionHandler | null {
  const handler = session.sessionDescriptionHandler;
  return handler instanceof Web.SessionDescriptionHandler ? handler : null;
}

/** Plays the call's remote audio (on `outputDeviceId` when set) and puts a level meter on it. */
export function attachRemoteAudio(
  session: Session,
  outputDeviceId: string | null,
  report: ReportError,
): RemoteAudio | null {
  const handler = mediaHandlerOf(session);
  if (!handler) return null;
  const element = new Audio();
  element.autoplay = true;
  element.srcObject = handler.remoteMediaStream;
  if (outputDeviceId && 'setSinkId' in element) {
    void element.setSinkId(outputDeviceId).catch((error) => report('selecting the output device', error));
  }
  void element.play().catch((error) => report('playing call audio', error));
  let analyser: RemoteAudio['analyser'] = null;
  try {
    const context = new AudioContext();
    const node = context.createAnalyser();
    node.fftSize = 1024;
    context.createMediaStreamSource(handler.remoteMediaStream).connect(node);
    analyser = { context, node };
  } catch (error) {
    report('call level meter', error);
  }
  return { element, analyser };
}

export function detachRemoteAudio(audio: RemoteAudio): void {
  audio.element.pause();
  audio.element.srcObject = null;
  if (audio.analyser) void audio.analyser.context.close().catch(() => undefined);
}

/** RMS of audio samples (0–1). */
export function rmsLevel(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length);
}

interface RtpStatsEntry {
  type?: string;
  kind?: string;
  packetsSent?: number;
  packetsReceived?: number;
  bytesReceived?: number;
}

/** Audio RTP counters summed over a `getStats()` report (any Map-like of stats entries). */
export function audioCounters(report: {
  forEach(callback: (entry: RtpStatsEntry) => void): void;
}): Omit<CallMediaStats, 'remoteLevel'> {
  const counters = { packetsSent: 0, packetsReceived: 0, bytesReceived: 0 };
  report.forEach((entry) => {
    if (entry.type === 'outbound-rtp' && entry.kind === 'audio')
      counters.packetsSent += entry.packetsSent ?? 0;
    if (entry.type === 'inbound-rtp' && entry.kind === 'audio') {
      counters.packetsReceived += entry.packetsReceived ?? 0;
      counters.bytesReceived += entry.bytesReceived ?? 0;
    }
  });
  return counters;
}

/** Media counters and the remote level of a call, or null when it has no peer connection. */
export async function mediaStats(
  session: Session,
  audio: RemoteAudio | null,
): Promise<CallMediaStats | null> {
  const connection = mediaHandlerOf(session)?.peerConnection;
  if (!connection) return null;
  const counters = audioCounters(await connection.getStats());
  let remoteLevel = 0;
  if (audio?.analyser) {
    const samples = new Float32Array(audio.analyser.node.fftSize);
    audio.analyser.node.getFloatTimeDomainData(samples);
    remoteLevel = rmsLevel(samples);
  }
  return { ...counters, remoteLevel };
}

/** The part of an RTCPeerConnection the wait below watches. */
export interface ConnectionStateSource extends EventTarget {
  readonly connectionState: string;
  readonly iceConnectionState: string;
}

/** Resolves true when the connection carries media, or false after `timeoutMs` anyway. */
export function waitForConnected(connection: ConnectionStateSource, timeoutMs: number): Promise<boolean> {
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
      connection.removeEventListener('connectionstatechange', check);
      connection.removeEventListener('iceconnectionstatechange', check);
    }
    connection.addEventListener('connectionstatechange', check);
    connection.addEventListener('iceconnectionstatechange', check);
  });
}

/** Resolves when the session's peer connection is connected (media can flow), or after `timeoutMs` anyway. */
export function waitForMediaConnected(session: Session, timeoutMs: number): Promise<boolean> {
  const connection = mediaHandlerOf(session)?.peerConnection;
  if (!connection) return Promise.resolve(false);
  return waitForConnected(connection, timeoutMs);
}
