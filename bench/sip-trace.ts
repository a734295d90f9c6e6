/**
 * Where a blocked call's time goes, read off a packet capture on loopback (tcpdump): for each Call-ID
 * the moments the INVITE reached Kamailio (UDP 5060), left it for the app (WebSocket on TCP 8080), the
 * app's final response came back over the WebSocket, and Kamailio passed it on to the caller; plus
 * Kamailio's round trips to rtpengine (ng protocol, UDP 22222) on the way. Plain parsing of the classic
 * pcap format, Ethernet/IPv4 only (what `tcpdump -i lo -w` writes here), and of unfragmented WebSocket
 * frames — enough for SIP messages of a few hundred bytes on loopback.
 */
import { readFileSync } from 'node:fs';

export interface Packet {
  /** Capture time in milliseconds. */
  atMs: number;
  protocol: 'udp' | 'tcp';
  sourcePort: number;
  destinationPort: number;
  payload: Buffer;
}

export function readPcap(file: string): Packet[] {
  const data = readFileSync(file);
  if (data.length < 24) return [];
  const magic = data.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nanoseconds = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (offset: number) => (littleEndian ? data.readUInt32LE(offset) : data.readUInt32BE(offset));
  const linkType = u32(20);
  if (linkType !== 1) throw new Error(`pcap link type ${linkType} is not Ethernet`);
  const packets: Packet[] = [];
  for (let offset = 24; offset + 16 <= data.length;) {
    const seconds = u32(offset);
    const fraction = u32(offset + 4);
    const captured = u32(offset + 8);
    const frame = data.subarray(offset + 16, offset + 16 + captured);
    offset += 16 + captured;
    const atMs = seconds * 1000 + (nanoseconds ? fraction / 1e6 : fraction / 1e3);
    if (frame.length < 34 || frame.readUInt16BE(12) !== 0x0800) continue; // IPv4 only
    const ip = frame.subarray(14);
    const headerLength = (ip[0]! & 0x0f) * 4;
    const totalLength = ip.readUInt16BE(2);
    const transport = ip.subarray(headerLength, totalLength);
    if (ip[9] === 17 && transport.length >= 8) {
      packets.push({
        atMs,
        protocol: 'udp',
        sourcePort: transport.readUInt16BE(0),
        destinationPort: transport.readUInt16BE(2),
        payload: transport.subarray(8),
      });
    } else if (ip[9] === 6 && transport.length >= 20) {
      const dataOffset = (transport[12]! >> 4) * 4;
      const payload = transport.subarray(dataOffset);
      if (payload.length === 0) continue;
      packets.push({
        atMs,
        protocol: 'tcp',
        sourcePort: transport.readUInt16BE(0),
        destinationPort: transport.readUInt16BE(2),
        payload,
      });
    }
  }
  return packets;
}

/** The text payloads of the complete WebSocket frames in one TCP segment (masked or not). */
export function webSocketTexts(segment: Buffer): string[] {
  const texts: string[] = [];
  let offset = 0;
  while (offset + 2 <= segment.length) {
    const opcode = segment[offset]! & 0x0f;
    const masked = (segment[offset + 1]! & 0x80) !== 0;
    let length = segment[offset + 1]! & 0x7f;
    let cursor = offset + 2;
    if (length === 126) {
      if (cursor + 2 > segment.length) break;
      length = segment.readUInt16BE(cursor);
      cursor += 2;
    } else if (length === 127) {
      if (cursor + 8 > segment.length) break;
      length = Number(segment.readBigUInt64BE(cursor));
      cursor += 8;
    }
    const mask = masked ? segment.subarray(cursor, cursor + 4) : null;
    if (masked) cursor += 4;
    if (cursor + length > segment.length) break; // split across segments: not needed here
    const payload = Buffer.from(segment.subarray(cursor, cursor + length));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
    if (opcode === 1 || opcode === 2) texts.push(payload.toString('utf8'));
    offset = cursor + length;
  }
  return texts;
}

function callIdOf(sip: string): string | null {
  const match = /^(?:Call-ID|i)\s*:\s*(\S+)/im.exec(sip);
  return match?.[1] ?? null;
}

/** The first line of a SIP message: `INVITE sip:…` or `SIP/2.0 603 Decline`. */
function startLine(sip: string): string {
  return sip.slice(0, sip.indexOf('\r\n'));
}

export interface BlockedCallTrace {
  callId: string;
  inviteAtProxy: number;
  inviteToApp: number;
  finalFromApp: number;
  finalToCaller: number;
  /** Kamailio ↔ rtpengine round trips for this call (offer before the INVITE leaves, delete after). */
  rtpengineMs: number;
}

export interface TraceOptions {
  sipPort: number;
  webSocketPort: number;
  rtpenginePort: number;
}

/** One record per call that went INVITE → app → final response (≥ 300) → caller. */
export function traceBlockedCalls(packets: readonly Packet[], ports: TraceOptions): BlockedCallTrace[] {
  interface Partial {
    inviteAtProxy?: number;
    inviteToApp?: number;
    finalFromApp?: number;
    finalToCaller?: number;
    rtpengineMs: number;
  }
  const calls = new Map<string, Partial>();
  const entry = (callId: string) => {
    let call = calls.get(callId);
    if (!call) {
      call = { rtpengineMs: 0 };
      calls.set(callId, call);
    }
    return call;
  };
  /** rtpengine ng requests waiting for their reply, by cookie. */
  const ngRequests = new Map<string, { callId: string; atMs: number }>();
  for (const packet of packets) {
    if (
      packet.protocol === 'udp' &&
      (packet.destinationPort === ports.rtpenginePort || packet.sourcePort === ports.rtpenginePort)
    ) {
      const text = packet.payload.toString('latin1');
      const cookie = text.slice(0, text.indexOf(' '));
      if (packet.destinationPort === ports.rtpenginePort) {
        const match = /call-id(\d+):/.exec(text);
        if (match?.index !== undefined) {
          const start = match.index + match[0].length;
          ngRequests.set(cookie, { callId: text.slice(start, start + Number(match[1])), atMs: packet.atMs });
        }
      } else {
        const request = ngRequests.get(cookie);
        if (request) {
          ngRequests.delete(cookie);
          entry(request.callId).rtpengineMs += packet.atMs - request.atMs;
        }
      }
      continue;
    }
    const messages =
      packet.protocol === 'udp'
        ? [packet.payload.toString('utf8')]
        : packet.sourcePort === ports.webSocketPort || packet.destinationPort === ports.webSocketPort
          ? webSocketTexts(packet.payload)
          : [];
    for (const sip of messages) {
      const callId = callIdOf(sip);
      if (callId === null) continue;
      const line = startLine(sip);
      const isInvite = line.startsWith('INVITE ');
      const finalStatus = /^SIP\/2\.0 ([3-6]\d\d) /.exec(line);
      const call = entry(callId);
      if (packet.protocol === 'udp' && packet.destinationPort === ports.sipPort && isInvite)
        call.inviteAtProxy ??= packet.atMs;
      else if (packet.protocol === 'tcp' && packet.sourcePort === ports.webSocketPort && isInvite)
        call.inviteToApp ??= packet.atMs;
      else if (packet.protocol === 'tcp' && packet.destinationPort === ports.webSocketPort && finalStatus)
        call.finalFromApp ??= packet.atMs;
      else if (packet.protocol === 'udp' && packet.sourcePort === ports.sipPort && finalStatus)
        call.finalToCaller ??= packet.atMs;
    }
  }
  const traces: BlockedCallTrace[] = [];
  for (const [callId, call] of calls) {
    const { inviteAtProxy, inviteToApp, finalFromApp, finalToCaller } = call;
    if (
      inviteAtProxy === undefined ||
      inviteToApp === undefined ||
      finalFromApp === undefined ||
      finalToCaller === undefined
    )
      continue;
    traces.push({
      callId,
      inviteAtProxy,
      inviteToApp,
      finalFromApp,
      finalToCaller,
      rtpengineMs: call.rtpengineMs,
    });
  }
  return traces;
}
