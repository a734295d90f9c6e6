/**
 * The announcement clips through Web Audio. A blocked caller's call gets a MediaStream fed by the decoded
 * clip (a MediaStreamAudioDestinationNode), so no microphone is ever opened for it; the agent hears the
 * outbound clip locally on the selected output device.
 */

export interface OutgoingAnnouncement {
  /** The stream sip.js sends instead of a microphone. */
  stream: MediaStream;
  /** Plays the clip once into the stream; resolves with how long it played (ms) when it ends or is stopped. */
  play(): Promise<number>;
  stop(): void;
}

export class AnnouncementAudio {
  private context: AudioContext | null = null;
  private readonly buffers = new Map<string, Promise<AudioBuffer>>();

  constructor(private outputDeviceId: string | null = null) {}

  setOutputDevice(deviceId: string | null): void {
    this.outputDeviceId = deviceId;
  }

  private audioContext(): AudioContext {
    if (this.context === null || this.context.state === 'closed') this.context = new AudioContext();
    if (this.context.state === 'suspended') void this.context.resume().catch(() => undefined);
    return this.context;
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

  /** Plays a clip to the agent on the selected output device; resolves with the ms played when it ends. */
  async playLocally(url: string): Promise<number> {
    const audio = new Audio(url);
    if (this.outputDeviceId && 'setSinkId' in audio) {
      await audio.setSinkId(this.outputDeviceId).catch(() => undefined);
    }
    const startedAt = performance.now();
    await new Promise<void>((resolve, reject) => {
      audio.onended = () => resolve();
      audio.onerror = () => reject(new Error(`cannot play ${url}: ${audio.error?.message ?? 'media error'}`));
      audio.play().catch(reject);
    });
    return performance.now() - startedAt;
  }

  async close(): Promise<void> {
    const context = this.context;
    this.context = null;
    if (context && context.state !== 'closed') await context.close().catch(() => undefined);
  }
}
