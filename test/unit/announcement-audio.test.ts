/**
 * Decoding uploaded announcements (SPEC §12.5) on real files made by Debian's encoders
 * (test/fixtures/audio/README.md): Ogg Opus through ogg-opus-decoder, told from Ogg Vorbis by the first
 * page's header, resampled from 48 kHz to 16 kHz with its length and pitch kept; other Ogg codecs and
 * damaged files refused with a reason; a long file given up on early.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { describe, expect, it } from 'vitest';
import {
  AudioInputError,
  decodeUpload,
  normalizeAnnouncement,
  TARGET_LEVEL_DBFS,
} from '../../server/announcement-audio';
import { inspectOgg, oggPageCrc } from '../../server/ogg-stream';
import { frequencyHz, readWav } from '../helpers/server-announcements-suite';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'audio');
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)));

/** The pages of an Ogg file, each as its own copy (header and body). */
function pagesOf(bytes: Uint8Array): Uint8Array[] {
  const pages: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const segments = bytes[at + 26]!;
    let length = 27 + segments;
    for (let i = 0; i < segments; i++) length += bytes[at + 27 + i]!;
    pages.push(bytes.slice(at, at + length));
    at += length;
  }
  return pages;
}

/** A byte inside the body of the first audio page (after OpusHead and OpusTags). */
function middleOfThirdPage(bytes: Uint8Array): number {
  const [head, tags, audio] = pagesOf(bytes);
  return head!.length + tags!.length + audio!.length - Math.floor((audio!.length - 27 - audio![26]!) / 2);
}

/** Sets a page's sequence number and flags, then its checksum, as an encoder would. */
function finishPage(page: Uint8Array, sequence: number, granule: bigint, flags: number): Uint8Array {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  view.setUint8(5, flags);
  view.setBigInt64(6, granule, true);
  view.setUint32(18, sequence, true);
  view.setUint32(22, oggPageCrc(page), true);
  return page;
}

/** One stream holding the audio pages of `bytes` `times` over: a long recording in a small fixture. */
function repeatedStream(bytes: Uint8Array, times: number): Uint8Array {
  const [head, tags, ...audio] = pagesOf(bytes);
  const granuleOf = (page: Uint8Array) =>
    new DataView(page.buffer, page.byteOffset, page.byteLength).getBigInt64(6, true);
  const perCopy = granuleOf(audio.at(-1)!);
  const out: Uint8Array[] = [head!, tags!];
  for (let copy = 0; copy < times; copy++)
    for (const [index, page] of audio.entries()) {
      const last = copy === times - 1 && index === audio.length - 1;
      out.push(
        finishPage(page.slice(), out.length, granuleOf(page) + BigInt(copy) * perCopy, last ? 0x04 : 0),
      );
    }
  return Buffer.concat(out);
}

async function refusal(promise: Promise<unknown>): Promise<AudioInputError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AudioInputError);
  return error as AudioInputError;
}

describe('Ogg streams are told apart by their first page', () => {
  it('names the codec of files made by opusenc, sox (Vorbis), speexenc and flac --ogg', () => {
    expect(inspectOgg(fixture('tone-3s-1khz.opus'))).toEqual({ ok: true, codec: 'opus' });
    expect(inspectOgg(fixture('tone-2s-stereo.opus'))).toEqual({ ok: true, codec: 'opus' });
    expect(inspectOgg(fixture('tone-3s.ogg'))).toEqual({ ok: true, codec: 'vorbis' });
    expect(inspectOgg(fixture('tone-1s.spx'))).toEqual({ ok: true, codec: 'speex' });
    expect(inspectOgg(fixture('tone-0.5s.oga'))).toEqual({ ok: true, codec: 'flac' });
  });

  it('finds what is wrong with a file that is not whole', () => {
    const opus = fixture('tone-3s-1khz.opus');
    expect(inspectOgg(fixture('tone-2.5s.mp3'))).toMatchObject({ ok: false, problem: /not an Ogg file/ });
    expect(inspectOgg(opus.subarray(0, opus.length - 100))).toMatchObject({
      ok: false,
      codec: 'opus',
      problem: /cut short/,
    });
    const flipped = opus.slice();
    flipped[middleOfThirdPage(opus)]! ^= 0x10;
    expect(inspectOgg(flipped)).toMatchObject({ ok: false, problem: /page \d+ fails its checksum/ });
    expect(inspectOgg(Buffer.concat([opus, opus]))).toMatchObject({
      ok: false,
      problem: /more than one stream/,
    });
    expect(inspectOgg(Buffer.concat([opus, Buffer.from('junk at the end')]))).toMatchObject({
      ok: false,
      problem: /no Ogg page at byte/,
    });
  });
});

describe('Ogg Opus uploads decode', () => {
  it('a 48 kHz mono tone: the decoder gives 48 kHz, the clip is 16 kHz with its length, pitch and the target level', async () => {
    const decoded = await decodeUpload(fixture('tone-3s-1khz.opus'), 'ogg', 10_000);
    expect(decoded.codec).toBe('opus');
    expect(decoded.sampleRate).toBe(48_000);
    expect(decoded.channels).toHaveLength(1);
    // The pre-skip and the last page's granule position trim the encoder's padding: exactly 3 s.
    expect(decoded.channels[0]!.length).toBe(3 * 48_000);

    const clip = normalizeAnnouncement(decoded);
    expect(clip.codec).toBe('opus');
    expect(clip.durationMs).toBe(3000);
    const wav = readWav(clip.wav);
    expect(wav).toMatchObject({ channels: 1, sampleRate: 16_000, bits: 16 });
    expect(wav.samples.length).toBe(3 * 16_000);
    expect(frequencyHz(wav.samples, wav.sampleRate)).toBeCloseTo(1000, 0);
    expect(Math.abs(wav.levelDbfs - TARGET_LEVEL_DBFS)).toBeLessThan(0.5);
    expect(clip.levelDbfs).toBe(TARGET_LEVEL_DBFS);
  });

  it('a quiet 44.1 kHz stereo recording: mixed to mono, raised to the target level, pitch kept', async () => {
    const decoded = await decodeUpload(fixture('tone-2s-stereo.opus'), 'ogg', 10_000);
    // Opus always decodes at 48 kHz, whatever rate the recording was made at.
    expect(decoded.sampleRate).toBe(48_000);
    expect(decoded.channels).toHaveLength(2);
    const clip = normalizeAnnouncement(decoded);
    expect(clip.durationMs).toBe(2000);
    // 0.1 of full scale is −23 dBFS RMS: about 3 dB of gain.
    expect(clip.inputLevelDbfs).toBeGreaterThan(-24);
    expect(clip.inputLevelDbfs).toBeLessThan(-22);
    expect(clip.gainDb).toBeGreaterThan(2);
    const wav = readWav(clip.wav);
    expect(frequencyHz(wav.samples, wav.sampleRate)).toBeCloseTo(440, 0);
    expect(Math.abs(wav.levelDbfs - TARGET_LEVEL_DBFS)).toBeLessThan(0.5);
  });

  it('Ogg Vorbis still goes to the Vorbis decoder under the same type', async () => {
    const decoded = await decodeUpload(fixture('tone-3s.ogg'), 'ogg', 10_000);
    expect(decoded.codec).toBe('vorbis');
    const wav = readWav(normalizeAnnouncement(decoded).wav);
    expect(frequencyHz(wav.samples, wav.sampleRate)).toBeCloseTo(523, 0);
  });

  it('slices of 64 KB at a time: the cuts between slices change no sample', async () => {
    // 10 × 12 s in one stream (108 KB): the slice boundary falls inside a page.
    const long = repeatedStream(fixture('tone-12s.opus'), 10);
    expect(inspectOgg(long)).toEqual({ ok: true, codec: 'opus' });
    const decoded = await decodeUpload(long, 'ogg', 10 * 60_000);
    const whole = new OggOpusDecoder();
    await whole.ready;
    const reference = await whole.decodeFile(long);
    whole.free();
    const samples = decoded.channels[0]!;
    expect(samples.length).toBe(reference.samplesDecoded);
    // Each copy keeps its encoder padding (under a frame), so a little over 120 s.
    expect(samples.length / 48_000).toBeGreaterThan(120);
    expect(samples.length / 48_000).toBeLessThan(120.2);
    expect(samples.every((sample, i) => sample === reference.channelData[0]![i])).toBe(true);
  });
});

describe('Ogg uploads refused with a reason', () => {
  it('a recording longer than allowed is given up on at the first slice past the limit', async () => {
    const twelve = await refusal(decodeUpload(fixture('tone-12s.opus'), 'ogg', 10_000));
    expect(twelve.reason).toBe('too_long');
    // Given up before the decoder's last 312 samples (the flush): 6 ms short of 12 s.
    expect(twelve.durationMs).toBeGreaterThan(11_950);
    expect(twelve.durationMs).toBeLessThanOrEqual(12_000);
    // 8 minutes of audio: the decoder stops within its first slices (64 KB is ~85 s at 6 kbit/s).
    const long = repeatedStream(fixture('tone-12s.opus'), 40);
    const started = performance.now();
    const error = await refusal(decodeUpload(long, 'ogg', 10_000));
    expect(error.reason).toBe('too_long');
    expect(error.durationMs).toBeGreaterThan(10_000);
    expect(error.durationMs).toBeLessThan(2 * 60_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('Ogg Speex, Ogg FLAC and an unknown codec: named and said to be unsupported', async () => {
    const speex = await refusal(decodeUpload(fixture('tone-1s.spx'), 'ogg', 10_000));
    expect([speex.reason, speex.codec]).toEqual(['unsupported_codec', 'speex']);
    expect(speex.message).toBe(
      'the Ogg file holds Speex audio, which is not supported: send Ogg Opus, Ogg Vorbis, MP3 or WAV',
    );
    const flac = await refusal(decodeUpload(fixture('tone-0.5s.oga'), 'ogg', 10_000));
    expect([flac.reason, flac.codec]).toEqual(['unsupported_codec', 'flac']);
    expect(flac.message).toContain('FLAC audio, which is not supported');

    // A whole, checksummed first page whose header packet no codec begins with.
    const [head, ...rest] = pagesOf(fixture('tone-3s-1khz.opus'));
    const renamed = head!.slice();
    renamed.set(Buffer.from('NotACodc'), 27 + renamed[26]!);
    const stranger = Buffer.concat([finishPage(renamed, 0, 0n, 0x02), ...rest]);
    const unknown = await refusal(decodeUpload(stranger, 'ogg', 10_000));
    expect([unknown.reason, unknown.codec]).toEqual(['unsupported_codec', 'unknown']);
    expect(unknown.message).toBe(
      'the Ogg file holds a stream of an unknown codec, which is not supported: send Ogg Opus, Ogg Vorbis, MP3 or WAV',
    );
  });

  it('damaged Opus files: cut short, bad checksum, headers only, packets libopus refuses', async () => {
    const opus = fixture('tone-3s-1khz.opus');
    const cut = await refusal(decodeUpload(opus.subarray(0, opus.length >> 1), 'ogg', 10_000));
    expect([cut.reason, cut.codec]).toEqual(['undecodable', 'opus']);
    expect(cut.message).toMatch(
      /^the Ogg file is damaged: it ends inside the page at byte \d+ \(cut short\?\)$/,
    );

    const flipped = opus.slice();
    flipped[middleOfThirdPage(opus)]! ^= 0x01;
    expect((await refusal(decodeUpload(flipped, 'ogg', 10_000))).message).toMatch(/fails its checksum/);

    // Only the OpusHead and OpusTags pages: whole, but no audio.
    const [head, tags, ...audio] = pagesOf(opus);
    const headersOnly = await refusal(decodeUpload(Buffer.concat([head!, tags!]), 'ogg', 10_000));
    expect(headersOnly.message).toBe('no Ogg Opus audio found in the file');

    // Whole pages with a right checksum whose packets are not Opus (0xff: 63 frames, more than allowed).
    const broken = audio.map((page, index) => {
      const copy = page.slice();
      copy.fill(0xff, 27 + copy[26]!);
      const view = new DataView(copy.buffer);
      return finishPage(copy, index + 2, view.getBigInt64(6, true), view.getUint8(5));
    });
    const garbled = await refusal(decodeUpload(Buffer.concat([head!, tags!, ...broken]), 'ogg', 10_000));
    expect(garbled.message).toMatch(/^the Ogg Opus stream is damaged: \d+ of its packets cannot be decoded$/);
  });

  it('an MP3 sent as Ogg is not an Ogg file', async () => {
    const error = await refusal(decodeUpload(fixture('tone-2.5s.mp3'), 'ogg', 10_000));
    expect(error.message).toBe('the file is not an Ogg file (no Ogg page at its start)');
    expect(error.codec).toBeUndefined();
  });
});
