/**
 * What an uploaded Ogg file holds, read from its pages before any decoder sees it (RFC 3533): the codec
 * named by the first page's header packet (`OpusHead`, `\x01vorbis`, …), and whether every page is whole,
 * in place and passes its checksum. The WebAssembly decoders skip the checksum and turn a cut-short or
 * damaged page into seconds of noise, so a file that fails here is refused instead.
 */

export type OggCodec = 'opus' | 'vorbis' | 'flac' | 'speex' | 'theora' | 'skeleton' | 'unknown';

/** What a stream of each codec is, in words: "the Ogg file holds …". */
export const OGG_CODEC_NAMES: Readonly<Record<OggCodec, string>> = {
  opus: 'Opus audio',
  vorbis: 'Vorbis audio',
  flac: 'FLAC audio',
  speex: 'Speex audio',
  theora: 'Theora video',
  skeleton: 'a Skeleton index',
  unknown: 'a stream of an unknown codec',
};

export type OggInspection =
  | { ok: true; codec: OggCodec }
  /** `codec` is known once the first page could be read. */
  | { ok: false; problem: string; codec?: OggCodec };

const HEADER_BYTES = 27;
const BEGINNING_OF_STREAM = 0x02;

/** The first bytes of each codec's identification header (the first packet of its stream). */
const SIGNATURES: ReadonlyArray<{ codec: OggCodec; bytes: readonly number[] }> = [
  { codec: 'opus', bytes: [...'OpusHead'].map((c) => c.charCodeAt(0)) },
  { codec: 'vorbis', bytes: [0x01, ...[...'vorbis'].map((c) => c.charCodeAt(0))] },
  { codec: 'flac', bytes: [0x7f, ...[...'FLAC'].map((c) => c.charCodeAt(0))] },
  { codec: 'speex', bytes: [...'Speex   '].map((c) => c.charCodeAt(0)) },
  { codec: 'theora', bytes: [0x80, ...[...'theora'].map((c) => c.charCodeAt(0))] },
  { codec: 'skeleton', bytes: [...'fishead\0'].map((c) => c.charCodeAt(0)) },
];

/** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value 0, no final xor. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    table[i] = crc >>> 0;
  }
  return table;
})();

/** The checksum a page (header and body) must carry in bytes 22–25. */
export function oggPageCrc(page: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    // The checksum field itself (bytes 22–25) counts as zero.
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

const isCapture = (bytes: Uint8Array, at: number): boolean =>
  bytes[at] === 0x4f && bytes[at + 1] === 0x67 && bytes[at + 2] === 0x67 && bytes[at + 3] === 0x53;

function codecOf(packet: Uint8Array): OggCodec {
  const match = SIGNATURES.find(({ bytes }) => bytes.every((byte, i) => packet[i] === byte));
  return match?.codec ?? 'unknown';
}

interface Page {
  flags: number;
  serial: number;
  checksum: number;
  /** The whole page, header included. */
  bytes: Uint8Array;
  body: Uint8Array;
}

/** The page at `at`, or why there is none. */
function pageAt(bytes: Uint8Array, at: number): Page | string {
  if (!isCapture(bytes, at)) return `there is no Ogg page at byte ${at}`;
  if (at + HEADER_BYTES > bytes.length) return `it ends inside a page header at byte ${at} (cut short?)`;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, HEADER_BYTES);
  if (view.getUint8(4) !== 0) return `the page at byte ${at} has an unknown Ogg version`;
  const segments = view.getUint8(26);
  const tableEnd = at + HEADER_BYTES + segments;
  if (tableEnd > bytes.length) return `it ends inside the page at byte ${at} (cut short?)`;
  let bodyLength = 0;
  for (let i = at + HEADER_BYTES; i < tableEnd; i++) bodyLength += bytes[i]!;
  if (tableEnd + bodyLength > bytes.length) return `it ends inside the page at byte ${at} (cut short?)`;
  return {
    flags: view.getUint8(5),
    serial: view.getUint32(14, true),
    checksum: view.getUint32(22, true),
    bytes: bytes.subarray(at, tableEnd + bodyLength),
    body: bytes.subarray(tableEnd, tableEnd + bodyLength),
  };
}

/** Reads every page of an Ogg file; decoding is left to the codec's decoder. */
export function inspectOgg(bytes: Uint8Array): OggInspection {
  if (!isCapture(bytes, 0))
    return { ok: false, problem: 'the file is not an Ogg file (no Ogg page at its start)' };
  const first = pageAt(bytes, 0);
  if (typeof first === 'string') return { ok: false, problem: `the Ogg file is damaged: ${first}` };
  if ((first.flags & BEGINNING_OF_STREAM) === 0)
    return { ok: false, problem: 'the Ogg file is damaged: its first page does not begin a stream' };
  const codec = codecOf(first.body);
  let at = 0;
  let index = 0;
  while (at < bytes.length) {
    const page = pageAt(bytes, at);
    if (typeof page === 'string') return { ok: false, codec, problem: `the Ogg file is damaged: ${page}` };
    if (oggPageCrc(page.bytes) !== page.checksum)
      return { ok: false, codec, problem: `the Ogg file is damaged: page ${index + 1} fails its checksum` };
    // A second stream, chained after the first or beside it: the decoders do not follow it reliably.
    if (page.serial !== first.serial || (index > 0 && (page.flags & BEGINNING_OF_STREAM) !== 0))
      return {
        ok: false,
        codec,
        problem: 'the Ogg file holds more than one stream (chained or multiplexed); upload one recording',
      };
    at += page.bytes.length;
    index++;
  }
  return { ok: true, codec };
}
