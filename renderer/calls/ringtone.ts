/**
 * The ringtone for allowed incoming calls, synthesized with Web Audio (no asset to ship, nothing to
 * fetch) on the app's one output path, channel `ring`. Only ever started for a call the phone let
 * through: a blocked call never rings (SPEC §3.4).
 */
import type { AudioOutput, Disconnect } from '../phone/audio-output';

export class Ringtone {
  private timer: ReturnType<typeof setInterval> | null = null;
  private playing: Disconnect[] = [];

  constructor(private readonly output: AudioOutput) {}

  start(kind: string): void {
    if (this.timer !== null || kind === 'silent') return;
    const ring = () => {
      this.playing = [kind === 'soft' ? this.chime() : this.classic()];
    };
    ring();
    this.timer = setInterval(ring, kind === 'soft' ? 3000 : 4000);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const disconnect of this.playing) disconnect();
    this.playing = [];
  }

  private classic(): Disconnect {
    return this.output.playTones(
      'ring',
      [440, 480],
      [
        { startS: 0, durationS: 0.8 },
        { startS: 1.2, durationS: 0.8 },
      ],
      0.15,
    );
  }

  private chime(): Disconnect {
    const high = this.output.playTones('ring', [880], [{ startS: 0, durationS: 0.35 }], 0.12);
    const low = this.output.playTones('ring', [660], [{ startS: 0.4, durationS: 0.5 }], 0.12);
    return () => {
      high();
      low();
    };
  }
}
