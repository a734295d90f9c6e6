/**
 * An uploaded announcement (SPEC §12.5) turned into what the apps play: decoded (WAV by wavefile, MP3 by
 * mpg123-decoder, Ogg Vorbis by @wasm-audio-decoders/ogg-vorbis, Ogg Opus by ogg-opus-decoder —
 * WebAssembly builds of libmpg123, libvorbis and libopus, so the server needs no system tool), mixed to
 * mono, resampled to 16 kHz, level-normalized and written as 16-bit PCM WAV, the codec of the built-in
 * clips. An Ogg file's codec is read from its first page, not from its name or Content-Type. Compressed
 * input is decoded in slices and given up as soon as it is longer than allowed, so a 5 MB file cannot
 * keep the CPU for long.
 */
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import wavefile from 'wavefile';
import { ANNOUNCEMENT_SAMPLE_RATE, type AnnouncementUploadFormat } from '../shared/announcements';
import { inspectOgg, OGG_CODEC_NAMES, type OggCodec } from './ogg-stream';

/** The active speech level a normalized clip gets, in dBFS (the built-in clips sit near it). */
export const TARGET_LEVEL_DBFS = -20;
/** No sample of a normalized clip goes above this, in dBFS (so no clipping after the gain). */
export const PEAK_CEILING_DBFS = -1;
/** Frames quieter than this do not count towards the level (pauses, room noise), in dBFS. */
const SILENCE_GATE_DBFS = -50;
/** Nor do frames this far below the loud part's level (breaths), in dB (ITU-R BS.1770's idea). */
const RELATIVE_GATE_DB = 15;
const FRAME_MS = 20;
/** Compressed input is fed to the decoder this many bytes at a time. */
const DECODE_SLICE_BYTES = 64 * 1024;

export class AudioInputError extends Error {
  constructor(
    readonly reason: 'undecodable' | 'unsupported_codec' | 'silent' | 'too_long',
    message: string,
    readonly durationMs?: number,
    /** The Ogg codec found, when the file could be read that far. */
    readonly codec?: OggCodec,
  ) {
    super(message);
    this.name = 'AudioInputError';
  }
}

/** What an upload was encoded with. */
export type UploadCodec = 'pcm' | 'mp3' | 'vorbis' | 'opus';

export interface DecodedAudio {
  channels: Float32Array[];
  sampleRate: number;
  codec?: UploadCodec;
}

export interface NormalizedAnnouncement {
  /** 16 kHz mono 16-bit PCM WAV. */
  wav: Uint8Array;
  durationMs: number;
  /** What the upload was encoded with, for the audit entry. */
  codec?: UploadCodec;
  /** The gain applied, in dB, and the level before and after (dBFS), for the audit entry. */
  gainDb: number;
  inputLevelDbfs: number;
  levelDbfs: number;
}

const toDb = (amplitude: number): number => 20 * Math.log10(amplitude);
const fromDb = (db: number): number => 10 ** (db / 20);
const durationMsOf = (samples: number, sampleRate: number): number =>
  Math.round((samples / sampleRate) * 1000);

function decodeWav(bytes: Uint8Array): DecodedAudio {
  let wav: InstanceType<typeof wavefile.WaveFile>;
  try {
    wav = new wavefile.WaveFile(bytes);
    // Companded and ADPCM WAVs become linear first; then every depth becomes 32-bit float (−1…1).
    if (wav.bitDepth === '8m') wav.fromMuLaw();
    else if (wav.bitDepth === '8a') wav.fromALaw();
    else if (wav.bitDepth === '4') wav.fromIMAADPCM();
    wav.toBitDepth('32f');
  } catch (error) {
    throw new AudioInputError('undecodable', `the WAV file cannot be read: ${(error as Error).message}`);
  }
  const format = wav.fmt as { numChannels: number; sampleRate: number };
  const samples: unknown = wav.getSamples(false, Float32Array);
  const channels =
    format.numChannels === 1 ? [samples as Float32Array] : [...(samples as unknown as Float32Array[])];
  return { channels, sampleRate: format.sampleRate, codec: 'pcm' };
}

interface DecodedSlice extends DecodedAudio {
  samplesDecoded: number;
  /** Packets the decoder could not decode (it fills them with a guess). */
  errors: number;
}

interface StreamingDecoder {
  decode(slice: Uint8Array): Promise<DecodedSlice>;
  flush(): Promise<DecodedSlice>;
  free(): void;
}

type CompressedCodec = 'mp3' | 'vorbis' | 'opus';
const CODEC_LABELS: Readonly<Record<CompressedCodec, string>> = {
  mp3: 'MP3',
  vorbis: 'Ogg Vorbis',
  opus: 'Ogg Opus',
};

/** The Ogg decoders share one shape; `sampleRate` is 48 kHz for Opus, the stream's own for Vorbis. */
interface OggDecoder {
  ready: Promise<void>;
  decode(data: Uint8Array): Promise<OggResult> | OggResult;
  flush(): Promise<OggResult>;
  free(): void;
}
interface OggResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: readonly unknown[];
}

async function streamingDecoder(codec: CompressedCodec): Promise<StreamingDecoder> {
  if (codec === 'mp3') {
    const decoder = new MPEGDecoder();
    await decoder.ready;
    const none = { channels: [], sampleRate: 0, samplesDecoded: 0, errors: 0 };
    return {
      decode: async (slice) => {
        const result = decoder.decode(slice);
        // Its errors stay uncounted, as before: an MP3 with no frame at all is refused below.
        return {
          channels: result.channelData,
          sampleRate: result.sampleRate,
          samplesDecoded: result.samplesDecoded,
          errors: 0,
        };
      },
      flush: async () => none,
      free: () => decoder.free(),
    };
  }
  const decoder: OggDecoder = codec === 'opus' ? new OggOpusDecoder() : new OggVorbisDecoder();
  await decoder.ready;
  const wrap = (result: OggResult): DecodedSlice => ({
    channels: result.channelData,
    sampleRate: result.sampleRate,
    samplesDecoded: result.samplesDecoded,
    errors: result.errors.length,
  });
  return {
    decode: async (slice) => wrap(await decoder.decode(slice)),
    flush: async () => wrap(await decoder.flush()),
    free: () => decoder.free(),
  };
}

/** Which Ogg codec the file holds, or the refusal that says what was found instead. */
function oggCodecOf(bytes: Uint8Array): 'vorbis' | 'opus' {
  const inspection = inspectOgg(bytes);
  const { codec } = inspection;
  if (codec !== undefined && codec !== 'vorbis' && codec !== 'opus')
    throw new AudioInputError(
      'unsupported_codec',
      `the Ogg file holds ${OGG_CODEC_NAMES[codec]}, which is not supported: send Ogg Opus, Ogg Vorbis, ` +
        'MP3 or WAV',
      undefined,
      codec,
    );
  if (!inspection.ok) throw new AudioInputError('undecodable', inspection.problem, undefined, codec);
  return inspection.codec as 'vorbis' | 'opus';
}

/** Decodes MP3, Ogg Vorbis or Ogg Opus, stopping once the audio is longer than `maxMs`. */
async function decodeCompressed(
  bytes: Uint8Array,
  format: 'mp3' | 'ogg',
  maxMs: number,
): Promise<DecodedAudio> {
  const codec: CompressedCodec = format === 'mp3' ? 'mp3' : oggCodecOf(bytes);
  const label = CODEC_LABELS[codec];
  const decoder = await streamingDecoder(codec);
  const parts: Float32Array[][] = [];
  let sampleRate = 0;
  let total = 0;
  const take = (result: DecodedSlice) => {
    // Whole pages with a right checksum but packets the codec refuses: the encoder wrote them wrong.
    if (result.errors > 0)
      throw new AudioInputError(
        'undecodable',
        `the ${label} stream is damaged: ${result.errors} of its packets cannot be decoded`,
      );
    if (result.samplesDecoded === 0) return;
    sampleRate = result.sampleRate;
    parts.push(result.channels.map((channel) => channel.slice(0, result.samplesDecoded)));
    total += result.samplesDecoded;
    const durationMs = durationMsOf(total, sampleRate);
    if (durationMs > maxMs)
      throw new AudioInputError('too_long', `the recording is longer than ${maxMs / 1000} s`, durationMs);
  };
  try {
    for (let offset = 0; offset < bytes.length; offset += DECODE_SLICE_BYTES)
      take(await decoder.decode(bytes.subarray(offset, offset + DECODE_SLICE_BYTES)));
    take(await decoder.flush());
  } catch (error) {
    if (error instanceof AudioInputError) throw error;
    throw new AudioInputError(
      'undecodable',
      `the ${label} stream cannot be decoded: ${(error as Error).message}`,
    );
  } finally {
    decoder.free();
  }
  if (total === 0 || sampleRate === 0)
    throw new AudioInputError('undecodable', `no ${label} audio found in the file`);
  const channelCount = Math.min(...parts.map((part) => part.length));
  const channels = Array.from({ length: channelCount }, (_, index) => {
    const joined = new Float32Array(total);
    let at = 0;
    for (const part of parts) {
      const channel = part[index] ?? new Float32Array(0);
      joined.set(channel, at);
      at += channel.length;
    }
    return joined;
  });
  return { channels, sampleRate, codec };
}

export async function decodeUpload(
  bytes: Uint8Array,
  format: AnnouncementUploadFormat,
  maxMs: number,
): Promise<DecodedAudio> {
  const decoded = format === 'wav' ? decodeWav(bytes) : await decodeCompressed(bytes, format, maxMs);
  const samples = decoded.channels[0]?.length ?? 0;
  if (samples === 0 || decoded.sampleRate <= 0)
    throw new AudioInputError('undecodable', 'the file holds no audio');
  const durationMs = durationMsOf(samples, decoded.sampleRate);
  if (durationMs > maxMs)
    throw new AudioInputError('too_long', `the recording is longer than ${maxMs / 1000} s`, durationMs);
  return decoded;
}

function mixToMono(channels: readonly Float32Array[]): Float32Array {
  const first = channels[0];
  if (first === undefined) return new Float32Array(0);
  if (channels.length === 1) return first;
  const mono = new Float32Array(first.length);
  for (const channel of channels)
    for (let i = 0; i < mono.length; i++) mono[i]! += (channel[i] ?? 0) / channels.length;
  return mono;
}

/** Taps each side of the resampling filter, and the fractional positions its table is made for. */
const RESAMPLE_HALF_TAPS = 16;
const RESAMPLE_PHASES = 256;

/**
 * Band-limited resampling: a Blackman-windowed sinc low-pass (cut just below the lower Nyquist rate),
 * tabulated at 256 fractional positions. wavefile's own resampler took 8–15 s for 30 s of 48 kHz audio
 * here, on the event loop; this takes a small fraction of that.
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples;
  const ratio = fromRate / toRate;
  const cutoff = 0.95 * Math.min(1, 1 / ratio);
  const width = RESAMPLE_HALF_TAPS * Math.max(1, ratio);
  const taps = Math.ceil(width);
  const span = 2 * taps + 1;
  const table = new Float32Array((RESAMPLE_PHASES + 1) * span);
  for (let phase = 0; phase <= RESAMPLE_PHASES; phase++) {
    const fraction = phase / RESAMPLE_PHASES;
    for (let k = -taps; k <= taps; k++) {
      const x = k - fraction;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * cutoff * x) / (Math.PI * cutoff * x);
      const w =
        Math.abs(x) >= width
          ? 0
          : 0.42 + 0.5 * Math.cos((Math.PI * x) / width) + 0.08 * Math.cos((2 * Math.PI * x) / width);
      table[phase * span + k + taps] = cutoff * sinc * w;
    }
  }
  const out = new Float32Array(Math.floor((samples.length * toRate) / fromRate));
  for (let i = 0; i < out.length; i++) {
    const position = i * ratio;
    const base = Math.floor(position);
    const row = Math.round((position - base) * RESAMPLE_PHASES) * span;
    let sum = 0;
    for (let k = -taps; k <= taps; k++) {
      const sample = samples[base + k];
      if (sample !== undefined) sum += sample * (table[row + k + taps] ?? 0);
    }
    out[i] = sum;
  }
  return out;
}

/**
 * The active level of speech, in dBFS: the RMS of the 20 ms frames above an absolute gate (pauses and
 * room noise do not count) and within a relative gate of the loud part (breaths do not either).
 */
export function activeLevelDbfs(samples: Float32Array, sampleRate: number): number {
  const frame = Math.max(1, Math.round((sampleRate * FRAME_MS) / 1000));
  const energies: number[] = [];
  for (let start = 0; start + frame <= samples.length; start += frame) {
    let sum = 0;
    for (let i = start; i < start + frame; i++) sum += samples[i]! * samples[i]!;
    energies.push(sum / frame);
  }
  const gate = fromDb(SILENCE_GATE_DBFS) ** 2;
  const loud = energies.filter((energy) => energy > gate);
  if (loud.length === 0) return -Infinity;
  const loudMean = loud.reduce((a, b) => a + b, 0) / loud.length;
  const relativeGate = loudMean * fromDb(-RELATIVE_GATE_DB) ** 2;
  const kept = loud.filter((energy) => energy >= relativeGate);
  return toDb(Math.sqrt(kept.reduce((a, b) => a + b, 0) / kept.length));
}

function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
  return peak;
}

/** Decoded audio → the clip the apps play: mono, 16 kHz, at the target level, as 16-bit WAV. */
export function normalizeAnnouncement(decoded: DecodedAudio): NormalizedAnnouncement {
  const mono = resample(mixToMono(decoded.channels), decoded.sampleRate, ANNOUNCEMENT_SAMPLE_RATE);
  const inputLevel = activeLevelDbfs(mono, ANNOUNCEMENT_SAMPLE_RATE);
  if (!Number.isFinite(inputLevel))
    throw new AudioInputError('silent', `the recording is silent (nothing above ${SILENCE_GATE_DBFS} dBFS)`);
  const peak = peakOf(mono);
  // The gain that brings speech to the target level, unless it would push the peaks past the ceiling.
  const gainDb = Math.min(TARGET_LEVEL_DBFS - inputLevel, PEAK_CEILING_DBFS - toDb(peak));
  const gain = fromDb(gainDb);
  const out = new Int16Array(mono.length);
  for (let i = 0; i < mono.length; i++)
    out[i] = Math.round(Math.max(-1, Math.min(1, mono[i]! * gain)) * 32767);
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, ANNOUNCEMENT_SAMPLE_RATE, '16', out);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    wav: wav.toBuffer(),
    ...(decoded.codec === undefined ? {} : { codec: decoded.codec }),
    durationMs: durationMsOf(out.length, ANNOUNCEMENT_SAMPLE_RATE),
    gainDb: round(gainDb),
    inputLevelDbfs: round(inputLevel),
    levelDbfs: round(inputLevel + gainDb),
  };
}
