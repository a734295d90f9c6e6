/**
 * The agent's audio devices on live calls (SPEC §10.5): a microphone chosen in settings replaces the
 * outgoing track of every live call at once (a new `getUserMedia` track through sip.js's handler, the
 * old track stopped), a chosen speaker moves the output path's sink, and the device list is followed
 * (`devicechange`): a chosen device that disappears falls back to the system default with a notice and
 * the call goes on; when it comes back, calls move back to it.
 */
import { openMicrophone, type GetUserMedia } from './microphone';

export interface DeviceNotice {
  device: 'microphone' | 'speaker';
  /** The device the agent chose, now missing or back. */
  chosenDeviceId: string;
  /** `missing`: calls went to the system default; `back`: calls use the chosen device again. */
  change: 'missing' | 'back';
  message: string;
}

/** What the browser gives: the device list, its change event, and the microphone. */
export interface DeviceSources {
  enumerate(): Promise<Array<Pick<MediaDeviceInfo, 'kind' | 'deviceId'>>>;
  getUserMedia: GetUserMedia;
  /** Calls `listener` on each device-list change; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** A live call's outgoing audio (the phone's media handler): takes a new microphone stream. */
export interface MicrophoneSink {
  replaceMicrophone(stream: MediaStream): Promise<void>;
}

/** Where the output path's sink is set (the phone's AudioOutput). */
export interface OutputSink {
  setSinkId(deviceId: string | null): Promise<void>;
}

export interface LiveDevicesOptions {
  sources: DeviceSources | null;
  /** The live calls' outgoing audio, asked at each switch. */
  microphones(): MicrophoneSink[];
  output: OutputSink;
  inputDeviceId: string | null;
  outputDeviceId: string | null;
  onNotice(notice: DeviceNotice): void;
  onError(context: string, error: unknown): void;
}

const MESSAGES = {
  microphone: {
    missing: 'Your chosen microphone is not connected: calls use the system default microphone.',
    back: 'Your chosen microphone is back: calls use it again.',
  },
  speaker: {
    missing: 'Your chosen speaker is not connected: calls play on the system default speaker.',
    back: 'Your chosen speaker is back: calls play on it again.',
  },
} as const;

/** The device calls should use: the chosen one while it is listed, else the default (null). */
export function effectiveDevice(
  chosen: string | null,
  listed: ReadonlyArray<Pick<MediaDeviceInfo, 'kind' | 'deviceId'>>,
  kind: 'audioinput' | 'audiooutput',
): string | null {
  if (chosen === null) return null;
  return listed.some((device) => device.kind === kind && device.deviceId === chosen) ? chosen : null;
}

export class LiveDevices {
  private chosenInput: string | null;
  private chosenOutput: string | null;
  /** What live calls use now (null: the system default). */
  private activeInput: string | null;
  private activeOutput: string | null;
  /** Switches run one after another: a quick second choice must not race the first. */
  private queue: Promise<void> = Promise.resolve();
  private readonly offChange: () => void;

  constructor(private readonly options: LiveDevicesOptions) {
    this.chosenInput = options.inputDeviceId;
    this.chosenOutput = options.outputDeviceId;
    this.activeInput = options.inputDeviceId;
    this.activeOutput = options.outputDeviceId;
    this.offChange = options.sources?.onChange(() => void this.followDeviceList()) ?? (() => undefined);
  }

  /** The microphone a new call opens (it falls back to the default by itself when it is gone). */
  inputForNewCall(): string | null {
    return this.chosenInput;
  }

  /** A new call could not open the chosen microphone and opened the default one. */
  newCallFellBack(chosenDeviceId: string): void {
    if (this.activeInput === null || this.chosenInput !== chosenDeviceId) return;
    this.activeInput = null;
    this.notify('microphone', chosenDeviceId, 'missing');
  }

  /** The agent chose a microphone: every live call's outgoing audio moves to it now. */
  setInput(deviceId: string | null): Promise<void> {
    this.chosenInput = deviceId;
    return this.serially(async () => {
      const fellBack = await this.switchMicrophones(deviceId);
      this.activeInput = fellBack ? null : deviceId;
      if (fellBack && deviceId !== null) this.notify('microphone', deviceId, 'missing');
    });
  }

  /** The agent chose a speaker: the output path (every call, tone and announcement) moves to it now. */
  setOutput(deviceId: string | null): Promise<void> {
    this.chosenOutput = deviceId;
    return this.serially(async () => {
      await this.options.output.setSinkId(deviceId);
      this.activeOutput = deviceId;
    });
  }

  /** The device list changed: a chosen device gone (or back) moves live audio off it (or back onto it). */
  followDeviceList(): Promise<void> {
    return this.serially(async () => {
      const sources = this.options.sources;
      if (!sources) return;
      const listed = await sources.enumerate();
      // Without the microphone permission devices are listed without ids: nothing can be told then.
      if (listed.some((device) => device.deviceId === '')) return;
      const input = effectiveDevice(this.chosenInput, listed, 'audioinput');
      if (input !== this.activeInput) {
        const fellBack = await this.switchMicrophones(input);
        this.activeInput = fellBack ? null : input;
        if (this.chosenInput !== null)
          this.notify('microphone', this.chosenInput, this.activeInput === null ? 'missing' : 'back');
      }
      const output = effectiveDevice(this.chosenOutput, listed, 'audiooutput');
      if (output !== this.activeOutput) {
        await this.options.output.setSinkId(output);
        this.activeOutput = output;
        if (this.chosenOutput !== null)
          this.notify('speaker', this.chosenOutput, output === null ? 'missing' : 'back');
      }
    });
  }

  dispose(): void {
    this.offChange();
  }

  /** Opens `deviceId` for each live call and swaps it in; true when the default had to be opened. */
  private async switchMicrophones(deviceId: string | null): Promise<boolean> {
    const sources = this.options.sources;
    const sinks = this.options.microphones();
    if (!sources || sinks.length === 0) return false;
    let fellBack = false;
    for (const sink of sinks) {
      const opened = await openMicrophone(sources.getUserMedia, deviceId);
      fellBack ||= opened.fellBack;
      try {
        await sink.replaceMicrophone(opened.stream);
      } catch (error) {
        // The call ended meanwhile: close what was opened for it.
        for (const track of opened.stream.getTracks()) track.stop();
        this.options.onError('switching the microphone', error);
      }
    }
    return fellBack;
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch((error: unknown) => this.options.onError('audio devices', error));
    return run;
  }

  private notify(device: DeviceNotice['device'], chosenDeviceId: string, change: DeviceNotice['change']) {
    try {
      this.options.onNotice({ device, chosenDeviceId, change, message: MESSAGES[device][change] });
    } catch (error) {
      this.options.onError('device notice listener', error);
    }
  }
}

/** The browser's device list and microphone, or null where the page has none. */
export function browserDeviceSources(): DeviceSources | null {
  const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (!devices || typeof devices.enumerateDevices !== 'function') return null;
  return {
    // Looked up at each call: a test page (or an extension) may wrap them after the phone starts.
    enumerate: () => devices.enumerateDevices(),
    getUserMedia: (constraints) => devices.getUserMedia(constraints),
    onChange(listener) {
      devices.addEventListener('devicechange', listener);
      return () => devices.removeEventListener('devicechange', listener);
    },
  };
}
