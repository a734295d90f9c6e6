/**
 * The one audio output path of the app: every sound the agent hears — call audio, the call-waiting
 * tone, the local announcement, the ringtone — plays through one AudioContext whose sink follows the
 * chosen speaker (`AudioContext.setSinkId`). Sounds go in by channel (`call` for the conversation and
 * the local announcement, `tone` for tones heard over a call, `ring` for the ringtone), all mixed into
 * the one destination, and each channel has a tap that reports its level and the level
 * at a frequency: headless Chromium has no capturable output, so tests measure what the agent hears here.
 */

export type OutputChannel = 'call' | 'tone' | 'ring';

/** Disconnects a source from the output. */
export type Disconnect = () => void;

interface Channel {
  input: GainNode;
  tap: AnalyserNode;
}

/** FFT size of the taps: 2048 samples at 48 kHz ≈ 23 Hz per bin, enough to tell tones apart. */
const TAP_FFT_SIZE = 2048;

/** RMS of samples (0–1). */
export function rms(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length);
}

/** The FFT bin nearest a frequency. */
export function binOf(frequencyHz: number, sampleRate: number, fftSize: number): number {
  return Math.round((frequencyHz * fftSize) / sampleRate);
}

export class AudioOutput {
  private context: AudioContext | null = null;
  private readonly channels = new Map<OutputChannel, Channel>();

  constructor(private sinkId: string | null = null) {}

  /** The shared context (made on first use, resumed when the page suspended it). */
  audioContext(): AudioContext {
    if (this.context === null || this.context.state === 'closed') {
      this.context = new AudioContext();
      this.channels.clear();
      if (this.sinkId !== null) void this.applySink(this.context, this.sinkId);
    }
    if (this.context.state === 'suspended') void this.context.resume().catch(() => undefined);
    return this.context;
  }

  /** Sends everything to this output device (null: the system default). */
  async setSinkId(deviceId: string | null): Promise<void> {
    this.sinkId = deviceId;
    if (this.context !== null && this.context.state !== 'closed')
      await this.applySink(this.context, deviceId);
  }

  /** The sink the context plays on now ('' for the system default), as the context itself reports it. */
  currentSinkId(): string {
    const context = this.context;
    const reported: unknown = context === null ? undefined : Reflect.get(context, 'sinkId');
    return typeof reported === 'string' ? reported : (this.sinkId ?? '');
  }

  private async applySink(context: AudioContext, deviceId: string | null): Promise<void> {
    // AudioContext.setSinkId (Chromium 110+) is not in TypeScript's DOM types yet.
    const setSinkId: unknown = Reflect.get(context, 'setSinkId');
    if (typeof setSinkId !== 'function') return;
    await Promise.resolve(Reflect.apply(setSinkId, context, [deviceId ?? ''])).catch(() => undefined);
  }

  /** The node a channel's sources connect to. */
  input(channel: OutputChannel): AudioNode {
    return this.channel(channel).input;
  }

  private channel(name: OutputChannel): Channel {
    const context = this.audioContext();
    let channel = this.channels.get(name);
    if (!channel) {
      const input = context.createGain();
      const tap = context.createAnalyser();
      tap.fftSize = TAP_FFT_SIZE;
      tap.smoothingTimeConstant = 0;
      input.connect(context.destination);
      input.connect(tap);
      channel = { input, tap };
      this.channels.set(name, channel);
    }
    return channel;
  }

  /**
   * Plays a remote WebRTC stream on a channel. Chromium feeds remote WebRTC audio into Web Audio only
   * while a media element plays the stream too, so a muted element keeps it flowing.
   */
  connectStream(stream: MediaStream, channel: OutputChannel = 'call'): Disconnect {
    const element = new Audio();
    element.muted = true;
    element.srcObject = stream;
    void element.play().catch(() => undefined);
    const source = this.audioContext().createMediaStreamSource(stream);
    source.connect(this.input(channel));
    return () => {
      source.disconnect();
      element.pause();
      element.srcObject = null;
    };
  }

  /** Plays a decoded clip once on a channel; resolves with the ms played when it ends or is stopped. */
  playBuffer(buffer: AudioBuffer, channel: OutputChannel = 'call'): { done: Promise<number>; stop(): void } {
    const context = this.audioContext();
    const node = context.createBufferSource();
    node.buffer = buffer;
    node.connect(this.input(channel));
    const startedAt = performance.now();
    const done = new Promise<number>((resolve) => {
      node.onended = () => {
        node.disconnect();
        resolve(performance.now() - startedAt);
      };
    });
    node.start();
    return {
      done,
      stop: () => {
        try {
          node.stop();
        } catch {
          // Already ended.
        }
      },
    };
  }

  /**
   * Plays tone bursts on a channel: each burst sounds `frequencies` together for `durationS` at
   * `startS` seconds from now, with short ramps so it does not click.
   */
  playTones(
    channel: OutputChannel,
    frequencies: readonly number[],
    bursts: ReadonlyArray<{ startS: number; durationS: number }>,
    level: number,
  ): Disconnect {
    const context = this.audioContext();
    const gain = context.createGain();
    gain.gain.value = 0;
    gain.connect(this.input(channel));
    const oscillators: OscillatorNode[] = [];
    const now = context.currentTime;
    let end = now;
    for (const burst of bursts) {
      const start = now + burst.startS;
      const stop = start + burst.durationS;
      gain.gain.setValueAtTime(0, start);
      gain.gain.linearRampToValueAtTime(level, start + 0.02);
      gain.gain.setValueAtTime(level, Math.max(start + 0.02, stop - 0.03));
      gain.gain.linearRampToValueAtTime(0, stop);
      end = Math.max(end, stop);
    }
    for (const frequency of frequencies) {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start(now);
      oscillator.stop(end + 0.05);
      oscillators.push(oscillator);
    }
    let disconnected = false;
    const disconnect = () => {
      if (disconnected) return;
      disconnected = true;
      for (const oscillator of oscillators) {
        try {
          oscillator.stop();
        } catch {
          // Already stopped.
        }
      }
      gain.disconnect();
    };
    oscillators[0]?.addEventListener('ended', disconnect);
    return disconnect;
  }

  /** The channel's level right now (RMS 0–1 over the tap's window). */
  level(channel: OutputChannel): number {
    const { tap } = this.channel(channel);
    const samples = new Float32Array(tap.fftSize);
    tap.getFloatTimeDomainData(samples);
    return rms(samples);
  }

  /** The channel's level at a frequency right now, in dBFS (−Infinity for silence). */
  levelAt(channel: OutputChannel, frequencyHz: number): number {
    const { tap } = this.channel(channel);
    const spectrum = new Float32Array(tap.frequencyBinCount);
    tap.getFloatFrequencyData(spectrum);
    const bin = binOf(frequencyHz, tap.context.sampleRate, tap.fftSize);
    // The peak of the bin and its neighbours: a tone between two bins spreads over both.
    return Math.max(
      spectrum[bin - 1] ?? -Infinity,
      spectrum[bin] ?? -Infinity,
      spectrum[bin + 1] ?? -Infinity,
    );
  }

  async close(): Promise<void> {
    const context = this.context;
    this.context = null;
    this.channels.clear();
    if (context && context.state !== 'closed') await context.close().catch(() => undefined);
  }
}
