/**
 * Reads the figures the E-model needs out of a WebRTC stats report (SPEC §10.7). Pure: the report is
 * taken as plain entries, so recorded reports test it without a browser.
 */
import type { QualityFigures } from '../../shared/call-quality';
import { round } from '../../shared/call-quality';

/** The few fields of RTCStats entries used here (all optional: browsers differ). */
export interface StatsEntry {
  id?: string;
  type?: string;
  kind?: string;
  packetsReceived?: number;
  packetsLost?: number;
  /** Seconds. */
  jitter?: number;
  codecId?: string;
  mimeType?: string;
  /** Seconds (remote-inbound-rtp, from RTCP receiver reports). */
  roundTripTime?: number;
  /** Seconds (candidate-pair, from ICE consent checks). */
  currentRoundTripTime?: number;
  nominated?: boolean;
  state?: string;
  selectedCandidatePairId?: string;
}

/** Cumulative counters of the received audio at one moment. */
export interface AudioCounters {
  atMs: number;
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
  rttMs: number | null;
  codec: string | null;
}

export function readAudioCounters(entries: Iterable<StatsEntry>, atMs: number): AudioCounters | null {
  const byId = new Map<string, StatsEntry>();
  const all: StatsEntry[] = [];
  for (const entry of entries) {
    all.push(entry);
    if (entry.id) byId.set(entry.id, entry);
  }
  const inbound = all.filter((entry) => entry.type === 'inbound-rtp' && entry.kind === 'audio');
  if (inbound.length === 0) return null;
  let packetsReceived = 0;
  let packetsLost = 0;
  let jitterMs = 0;
  let codec: string | null = null;
  for (const entry of inbound) {
    packetsReceived += entry.packetsReceived ?? 0;
    // Duplicates can make RFC 3550's cumulative loss negative.
    packetsLost += Math.max(0, entry.packetsLost ?? 0);
    jitterMs = Math.max(jitterMs, (entry.jitter ?? 0) * 1000);
    const mimeType = entry.codecId ? byId.get(entry.codecId)?.mimeType : undefined;
    if (mimeType) codec = mimeType.replace(/^audio\//i, '');
  }
  return { atMs, packetsReceived, packetsLost, jitterMs, rttMs: roundTripMs(all, byId), codec };
}

/** RTCP's figure when the far end sends receiver reports, otherwise the ICE pair's. */
function roundTripMs(all: StatsEntry[], byId: Map<string, StatsEntry>): number | null {
  const remote = all.find(
    (entry) =>
      entry.type === 'remote-inbound-rtp' && entry.kind === 'audio' && entry.roundTripTime !== undefined,
  );
  if (remote?.roundTripTime !== undefined) return remote.roundTripTime * 1000;
  const transport = all.find((entry) => entry.type === 'transport' && entry.selectedCandidatePairId);
  const pair =
    (transport?.selectedCandidatePairId ? byId.get(transport.selectedCandidatePairId) : undefined) ??
    all.find((entry) => entry.type === 'candidate-pair' && entry.nominated && entry.state === 'succeeded');
  return pair?.currentRoundTripTime !== undefined ? pair.currentRoundTripTime * 1000 : null;
}

/**
 * The figures between two readings: loss is what was lost in that span (a whole-call average would hide
 * a bad minute), jitter and round trip are the latest values.
 */
export function figuresBetween(earlier: AudioCounters | null, latest: AudioCounters): QualityFigures {
  const lost = latest.packetsLost - (earlier?.packetsLost ?? 0);
  const received = latest.packetsReceived - (earlier?.packetsReceived ?? 0);
  const expected = Math.max(0, lost) + Math.max(0, received);
  return {
    lossPercent: expected > 0 ? round((100 * Math.max(0, lost)) / expected, 2) : 0,
    jitterMs: round(latest.jitterMs, 1),
    rttMs: latest.rttMs === null ? null : round(latest.rttMs, 1),
    codec: latest.codec,
  };
}
