/**
 * Call waiting (SPEC §10.1): while a call is connected, a second allowed caller does not ring the
 * ringtone — the agent hears a short call-waiting tone mixed into the call's audio (the output path's
 * `tone` channel) until the new call is answered, declined or gives up. A blocked second caller never gets
 * this far (the decision runs first), so it never produces a tone.
 */
import type { AudioOutput, Disconnect } from './audio-output';
import type { CallSnapshot } from './types';

/** The waiting tone: 440 Hz (the North American call-waiting tone), two 300 ms bursts every 4 s. */
export const WAITING_TONE_HZ = 440;
const WAITING_TONE_REPEAT_MS = 4000;
const WAITING_TONE_LEVEL = 0.2;

/** A call is waiting when one rings while another is connected. */
export function hasWaitingCall(calls: readonly CallSnapshot[]): boolean {
  return calls.some((call) => call.state === 'incoming') && calls.some((call) => call.state === 'connected');
}

export class WaitingTone {
  private timer: ReturnType<typeof setInterval> | null = null;
  private playing: Disconnect | null = null;

  constructor(private readonly output: AudioOutput) {}

  get playingNow(): boolean {
    return this.timer !== null;
  }

  /** Plays the tone while `waiting` is true; call on every change of the calls. */
  follow(waiting: boolean): void {
    if (waiting && this.timer === null) {
      const beep = () => {
        this.playing?.();
        this.playing = this.output.playTones(
          'tone',
          [WAITING_TONE_HZ],
          [
            { startS: 0, durationS: 0.3 },
            { startS: 0.5, durationS: 0.3 },
          ],
          WAITING_TONE_LEVEL,
        );
      };
      beep();
      this.timer = setInterval(beep, WAITING_TONE_REPEAT_MS);
    } else if (!waiting) this.stop();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.playing?.();
    this.playing = null;
  }
}
