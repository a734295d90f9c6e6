/**
 * A live call's media as seen from the app: the remote audio played on the chosen output device, a level
 * meter on it, the RTP counters, and the wait for the peer connection to carry media. Everything here
 * takes a sip.js session and gives back plain values.
 */
import { Web, type Session } from 'sip.js';
import type { AudioOutput, Disconnect } from './audio-output';

export interface CallMediaStats {
  packetsSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** RMS (0–1) of the remote audio over the last ~20 ms. */
  remoteLevel: number;
}

/** One call's remote stream on the output path, with its own level meter. */
export interface RemoteAudio {
  disconnect: Disconnect;
  meter: AnalyserNode | null;
}

type ReportError = (context: string, error: unknown) => void;

function mediaHandlerOf(session: Session): Web.SessionDescriptionHandler | null {
  const handler = session.sessionDescriptionHandler;
  return handler instanceof Web.SessionDescriptionHandler ? handler : null;
}

/** Plays the call's remote audio through the output path and puts a level meter on it. */
export function attachRemoteAudio(
  session: Session,
  output: AudioOutput,
  report: ReportError,
): RemoteAudio | null {
  const handler = mediaHandlerOf(session);
  if (!handler) return null;
  try {
    const stream = handler.remoteMediaStream;
    const disconnect = output.connectStream(stream, 'call');
    let meter: AnalyserNode | null = null;
    try {
      const context = output.audioContext();
      meter = context.createAnalyser();
      meter.fftSize = 1024;
      context.createMediaStreamSource(stream).connect(meter);
    } catch (error) {
      report('call level meter', error);
    }
    return { disconnect, meter };
  } catch (error) {
    report('playing call audio', error);
    return null;
  }
}

export function detachRemoteAudio(audio: RemoteAudio): void {
  audio.disconnect();
  audio.meter?.disconnect();
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
  if (audio?.meter) {
    const samples = new Float32Array(audio.meter.fftSize);
    audio.meter.getFloatTimeDomainData(samples);
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
