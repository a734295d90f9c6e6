/**
 * A doctored RTP capture for sipp's `play_pcap_audio`: a continuous G.711 µ-law tone in 20 ms packets,
 * some packets left out (loss) and the rest sent unevenly (jitter). sipp replays the capture's own
 * timestamps, so this is loss and jitter on the media only — SIP is untouched (netem is not available
 * here, see /work/shared/notes/lab-facts-2.md).
 */
import { seededRandom } from '../../bench/lib';

export interface DoctoredRtpOptions {
  durationS: number;
  /** Every `dropEvery`-th packet is left out (0 = none): 12 → 8.3 % loss, spread evenly. */
  dropEvery: number;
  /** Odd packets are sent this much late, so spacing alternates (20 + d, 20 − d): the jitter. */
  lateByMs: number;
  /** A further 0–`wobbleMs` on every packet from a seeded generator, so the pattern is not a pure square. */
  wobbleMs?: number;
  toneHz?: number;
  seed?: number;
  /** The first this many seconds are sent clean (no loss, even spacing): the call starts good. */
  cleanLeadS?: number;
}

export interface DoctoredRtp {
  pcap: Buffer;
  packetsSent: number;
  packetsDropped: number;
  /** What a receiver expects over the doctored part: lost / (lost + received), in percent. */
  lossPercent: number;
  /** RFC 3550 §6.4.1 interarrival jitter over the schedule as sent, in ms, at the end of the capture. */
  jitterMs: number;
}

const SAMPLE_RATE = 8000;
const SAMPLES_PER_PACKET = 160;
const PACKET_MS = 20;

/** G.711 µ-law encoding of a 16-bit linear sample (ITU-T G.711, the classic Sun reference algorithm). */
export function linearToMulaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let value = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = value < 0 ? 0x80 : 0;
  if (sign) value = -value;
  value = Math.min(value, CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** RFC 3550 §6.4.1: J += (|D(i−1, i)| − J) / 16 over packets in arrival order; result in ms. */
export function rfc3550JitterMs(packets: Array<{ sentMs: number; rtpTimestamp: number }>): number {
  let jitter = 0;
  let previousTransit: number | null = null;
  for (const packet of packets) {
    const transit = packet.sentMs - (packet.rtpTimestamp / SAMPLE_RATE) * 1000;
    if (previousTransit !== null) jitter += (Math.abs(transit - previousTransit) - jitter) / 16;
    previousTransit = transit;
  }
  return jitter;
}

function rtpPacket(sequence: number, timestamp: number, ssrc: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80; // version 2
  header[1] = 0; // PCMU
  header.writeUInt16BE(sequence & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([header, payload]);
}

/** Ethernet + IPv4 + UDP around one RTP packet (sipp rewrites addresses and ports when it replays). */
function frame(rtp: Buffer): Buffer {
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12);
  const udpLength = 8 + rtp.length;
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + udpLength, 2);
  ip[8] = 64;
  ip[9] = 17; // UDP
  ip.set([127, 0, 0, 1], 12);
  ip.set([127, 0, 0, 1], 16);
  let sum = 0;
  for (let offset = 0; offset < 20; offset += 2) sum += ip.readUInt16BE(offset);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(6000, 0);
  udp.writeUInt16BE(6001, 2);
  udp.writeUInt16BE(udpLength, 4);
  return Buffer.concat([ethernet, ip, udp, rtp]);
}

export function doctoredRtpPcap(options: DoctoredRtpOptions): DoctoredRtp {
  const random = seededRandom(options.seed ?? 7);
  const toneHz = options.toneHz ?? 1000;
  const wobbleMs = options.wobbleMs ?? 0;
  const total = Math.round((options.durationS * 1000) / PACKET_MS);
  const cleanPackets = Math.round(((options.cleanLeadS ?? 0) * 1000) / PACKET_MS);
  const ssrc = 0x0b10c11e;
  const sent: Array<{ sentMs: number; rtpTimestamp: number; bytes: Buffer }> = [];
  let dropped = 0;
  for (let index = 0; index < total; index += 1) {
    const payload = Buffer.alloc(SAMPLES_PER_PACKET);
    for (let sample = 0; sample < SAMPLES_PER_PACKET; sample += 1) {
      const t = (index * SAMPLES_PER_PACKET + sample) / SAMPLE_RATE;
      payload[sample] = linearToMulaw(12000 * Math.sin(2 * Math.PI * toneHz * t));
    }
    const doctored = index >= cleanPackets;
    const wobble = doctored ? random() * wobbleMs : 0;
    if (doctored && options.dropEvery > 0 && index % options.dropEvery === options.dropEvery - 1) {
      dropped += 1;
      continue;
    }
    const rtpTimestamp = index * SAMPLES_PER_PACKET;
    const late = doctored && index % 2 === 1 ? options.lateByMs : 0;
    const sentMs = index * PACKET_MS + late + wobble;
    sent.push({ sentMs, rtpTimestamp, bytes: rtpPacket(index, rtpTimestamp, ssrc, payload) });
  }
  // A capture is in time order; a late packet never overtakes the next one while lateByMs + wobble < 20.
  sent.sort((a, b) => a.sentMs - b.sentMs);

  const globalHeader = Buffer.alloc(24);
  globalHeader.writeUInt32LE(0xa1b2c3d4, 0);
  globalHeader.writeUInt16LE(2, 4);
  globalHeader.writeUInt16LE(4, 6);
  globalHeader.writeUInt32LE(65535, 16);
  globalHeader.writeUInt32LE(1, 20); // Ethernet
  const records: Buffer[] = [globalHeader];
  const startS = 1_700_000_000;
  for (const packet of sent) {
    const bytes = frame(packet.bytes);
    const header = Buffer.alloc(16);
    const micros = Math.round(packet.sentMs * 1000);
    header.writeUInt32LE(startS + Math.floor(micros / 1_000_000), 0);
    header.writeUInt32LE(micros % 1_000_000, 4);
    header.writeUInt32LE(bytes.length, 8);
    header.writeUInt32LE(bytes.length, 12);
    records.push(header, bytes);
  }
  return {
    pcap: Buffer.concat(records),
    packetsSent: sent.length,
    packetsDropped: dropped,
    lossPercent: total > cleanPackets ? (100 * dropped) / (total - cleanPackets) : 0,
    jitterMs: rfc3550JitterMs(sent),
  };
}
