/**
 * "Test your microphone" in settings (SPEC §10.5): the chosen microphone opened (the default when it is
 * gone, as calls do), its level read a few times a second for the meter, a few seconds recorded and
 * played back on the chosen speaker — what the other side would hear.
 */
import { rms } from '../phone/audio-output';
import { browserGetUserMedia, openMicrophone } from '../phone/microphone';

export const RECORD_MS = 3000;

export type CheckPhase = 'recording' | 'playing' | 'done';

export interface MicrophoneCheckEvents {
  onLevel(level: number): void;
  onPhase(phase: CheckPhase): void;
  /** The chosen microphone could not be opened: the default one is being tested. */
  onFellBack(): void;
}

/** The level (0–1) the meter shows for an RMS: speech sits around 0.05–0.3, so it is scaled up. */
export function meterLevel(value: number): number {
  return Math.min(1, value * 4);
}

/** Runs one check; the returned function stops it early. */
export async function checkMicrophone(
  inputDeviceId: string | null,
  outputDeviceId: string | null,
  events: MicrophoneCheckEvents,
): Promise<() => void> {
  const getUserMedia = browserGetUserMedia();
  if (!getUserMedia) throw new Error('This environment cannot open a microphone.');
  const { stream, fellBack } = await openMicrophone(getUserMedia, inputDeviceId);
  if (fellBack) events.onFellBack();
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const meter = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    events.onLevel(meterLevel(rms(samples)));
  }, 100);
  const recorder = typeof MediaRecorder === 'undefined' ? null : new MediaRecorder(stream);
  const chunks: Blob[] = [];
  let player: HTMLAudioElement | null = null;
  let stopped = false;
  const release = () => {
    clearInterval(meter);
    for (const track of stream.getTracks()) track.stop();
    void context.close().catch(() => undefined);
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    if (recorder?.state === 'recording') recorder.stop();
    player?.pause();
    release();
    events.onPhase('done');
  };
  events.onPhase('recording');
  recorder?.addEventListener('dataavailable', (event) => chunks.push(event.data));
  recorder?.addEventListener('stop', () => {
    if (stopped) return;
    release();
    const url = URL.createObjectURL(new Blob(chunks, { type: recorder.mimeType }));
    player = new Audio(url);
    // HTMLMediaElement.setSinkId: the recording plays where calls do.
    const sinkReady =
      outputDeviceId !== null && typeof player.setSinkId === 'function'
        ? player.setSinkId(outputDeviceId).catch(() => undefined)
        : Promise.resolve();
    player.addEventListener('ended', () => {
      URL.revokeObjectURL(url);
      stop();
    });
    events.onPhase('playing');
    void sinkReady.then(() => player?.play()).catch(() => stop());
  });
  recorder?.start();
  const timer = setTimeout(() => {
    if (recorder?.state === 'recording') recorder.stop();
    else stop();
  }, RECORD_MS);
  return stop;
}
