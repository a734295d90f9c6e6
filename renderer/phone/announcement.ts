/**
 * The announcement clips through Web Audio. A blocked caller's call gets a MediaStream fed by the decoded
 * clip (a MediaStreamAudioDestinationNode), so no microphone is ever opened for it; the agent hears the
 * outbound clip locally through the app's one output path (`audio-output.ts`).
 */
import type { AudioOutput } from './audio-output';

export interface OutgoingAnnouncement {
  /** The stream sip.js sends instead of a microphone. */
  stream: MediaStream;
  /** Plays the clip once into the stream; resolves with how long it played (ms) when it ends or is stopped. */
  play(): Promise<number>;
  stop(): void;
}

export class AnnouncementAudio {
  private readonly buffers = new Map<string, Promise<AudioBuffer>>();

  constructor(private readonly output: AudioOutput) {}

  private audioContext(): AudioContext {
    return this.output.audioContext();
  }

  /**
   * Decodes a clip handed over as bytes (the org's own recording, kept by the host) under a key that
   * `load`, `createOutgoing` and `playLocally` then accept like a URL. Rejects when it cannot be decoded.
   */
  provide(key: string, audio: ArrayBuffer): Promise<AudioBuffer> {
    const buffer = this.audioContext().decodeAudioData(audio);
    buffer.catch(() => this.buffers.delete(key));
    this.buffers.set(key, buffer);
    return buffer;
  }

  /** Drops a provided clip that is no longer in force. */
  forget(key: string): void {
    this.buffers.delete(key);
  }

  /** Fetches and decodes a clip once; later calls share the same decoded buffer. */
  load(url: string): Promise<AudioBuffer> {
    let buffer = this.buffers.get(url);
    if (!buffer) {
      buffer = (async () => {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`announcement ${url}: HTTP ${response.status}`);
        return this.audioContext().decodeAudioData(await response.arrayBuffer());
      })();
      // A failed load may be retried by the next call.
      buffer.catch(() => this.buffers.delete(url));
      this.buffers.set(url, buffer);
    }
    return buffer;
  }

  createOutgoing(url: string): OutgoingAnnouncement {
    const context = this.audioContext();
    const destination = context.createMediaStreamDestination();
    let source: AudioBufferSourceNode | null = null;
    let stopped = false;
    let finish: ((playedMs: number) => void) | null = null;
    let startedAt = 0;
    return {
      stream: destination.stream,
      play: async () => {
        const buffer = await this.load(url);
        if (stopped) return 0;
        if (context.state === 'suspended') await context.resume();
        return new Promise<number>((resolve) => {
          const node = context.createBufferSource();
          node.buffer = buffer;
          node.connect(destination);
          source = node;
          startedAt = performance.now();
          finish = (playedMs) => {
            finish = null;
            resolve(playedMs);
          };
          node.onended = () => finish?.(performance.now() - startedAt);
          node.start();
        });
      },
      stop: () => {
        stopped = true;
        try {
          source?.stop();
        } catch {
          // Not started yet or already stopped.
        }
        finish?.(startedAt === 0 ? 0 : performance.now() - startedAt);
        for (const track of destination.stream.getTracks()) track.stop();
        destination.disconnect();
      },
    };
  }

  /** Plays a clip to the agent through the output path; resolves with the ms played when it ends. */
  async playLocally(url: string): Promise<number> {
    const buffer = await this.load(url);
    const context = this.audioContext();
    if (context.state === 'suspended') await context.resume();
    return this.output.playBuffer(buffer, 'call').done;
  }
}
