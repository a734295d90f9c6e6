/**
 * The ringtone for allowed incoming calls, synthesized with Web Audio (no asset to ship, nothing to
 * fetch). Only ever started for a call the phone let through: a blocked call never rings (SPEC §3.4).
 */
export class Ringtone {
  private context: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  async start(kind: string, outputDeviceId: string): Promise<void> {
    if (this.timer !== null || kind === 'silent') return;
    const context = new AudioContext();
    this.context = context;
    // AudioContext.setSinkId (Chromium 110+) is not in TypeScript's DOM types yet.
    const setSinkId: unknown = Reflect.get(context, 'setSinkId');
    if (outputDeviceId !== 'default' && typeof setSinkId === 'function') {
      await Promise.resolve(Reflect.apply(setSinkId, context, [outputDeviceId])).catch(() => undefined);
    }
    const ring = () => (kind === 'soft' ? this.chime(context) : this.classic(context));
    ring();
    this.timer = setInterval(ring, kind === 'soft' ? 3000 : 4000);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    void this.context?.close().catch(() => undefined);
    this.context = null;
  }

  private tone(context: AudioContext, frequencies: number[], start: number, duration: number, level: number) {
    const gain = context.createGain();
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(level, start + 0.02);
    gain.gain.setValueAtTime(level, start + duration - 0.05);
    gain.gain.linearRampToValueAtTime(0, start + duration);
    gain.connect(context.destination);
    for (const frequency of frequencies) {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start(start);
      oscillator.stop(start + duration);
    }
  }

  private classic(context: AudioContext) {
    const now = context.currentTime;
    this.tone(context, [440, 480], now, 0.8, 0.15);
    this.tone(context, [440, 480], now + 1.2, 0.8, 0.15);
  }

  private chime(context: AudioContext) {
    const now = context.currentTime;
    this.tone(context, [880], now, 0.35, 0.12);
    this.tone(context, [660], now + 0.4, 0.5, 0.12);
  }
}
