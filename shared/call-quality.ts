/**
 * Estimated call quality (SPEC §10.7): a simplified ITU-T G.107 E-model turning the figures WebRTC
 * reports (packet loss, jitter, round-trip time, codec) into an R-factor and a MOS.
 *
 *   R   = (Ro − Is) − Id − Ie,eff + A                                   G.107 eq. (7-1)
 *         Ro − Is = 93.2 with every G.107 default (Table 3), A = 0 (no advantage for a fixed desk)
 *   Id  = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)                         Cole & Rosenbluth (2001)
 *         d = one-way mouth-to-ear delay in ms, H the step function; d is estimated as
 *         RTT/2 (network) + 2·jitter (the receiver's jitter buffer) + 20 ms (one packet of audio)
 *   Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl/BurstR + Bpl)                   G.107 eq. (7-29)
 *         Ppl = packet loss in percent, BurstR = 1 (random loss: WebRTC gives no burst figure),
 *         Ie and Bpl per codec from G.113 Appendix I (G.711 with packet-loss concealment: 0 and 25.1)
 *   MOS = 1                                    for R < 0
 *         1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶   for 0 ≤ R ≤ 100     G.107 Annex B eq. (B-4)
 *         4.5                                  for R > 100
 *
 * References: ITU-T G.107 (06/2015) "The E-model: a computational model for use in transmission
 * planning"; ITU-T G.113 Appendix I (provisional planning values for Ie and Bpl); R. G. Cole and
 * J. H. Rosenbluth, "Voice over IP performance monitoring", ACM SIGCOMM CCR 31(2), 2001 (the delay term).
 */

/** What the phone measured over the last few seconds of a call. */
export interface QualityFigures {
  /** Packets lost as a share of packets expected, in percent (0–100). */
  lossPercent: number;
  /** RFC 3550 interarrival jitter of the received audio, in ms. */
  jitterMs: number;
  /** Round-trip time, in ms; null when the far end sends no RTCP and ICE gave no figure. */
  rttMs: number | null;
  /** The received codec's MIME subtype (`PCMU`, `opus` …), or null when not known yet. */
  codec: string | null;
}

export interface QualityEstimate {
  rFactor: number;
  mos: number;
}

export type QualityGrade = 'good' | 'fair' | 'poor';

/** Ro − Is with every G.107 default value (G.107: the defaults give R = 93.2). */
export const DEFAULT_R = 93.2;
/** One packet of audio: WebRTC and SIP phones send 20 ms frames. */
const PACKETIZATION_MS = 20;

interface CodecImpairment {
  /** Equipment impairment factor. */
  ie: number;
  /** Packet-loss robustness factor. */
  bpl: number;
}

/**
 * G.113 Appendix I values. Opus and G.722 have none there; they are given G.711-with-PLC values, a
 * neutral assumption (both conceal loss at least as well), so a figure never looks better than G.711's.
 */
const G711_WITH_PLC: CodecImpairment = { ie: 0, bpl: 25.1 };
const CODEC_IMPAIRMENTS: Record<string, CodecImpairment> = {
  pcmu: G711_WITH_PLC,
  pcma: G711_WITH_PLC,
  g729: { ie: 11, bpl: 19 },
};

export function codecImpairment(codec: string | null): CodecImpairment {
  return CODEC_IMPAIRMENTS[(codec ?? '').toLowerCase()] ?? G711_WITH_PLC;
}

/** Delay impairment Id for a one-way mouth-to-ear delay in ms (Cole & Rosenbluth's fit of G.107). */
export function delayImpairment(oneWayDelayMs: number): number {
  const d = Math.max(0, oneWayDelayMs);
  return 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
}

/** Effective equipment impairment Ie,eff for random packet loss (G.107 eq. 7-29 with BurstR = 1). */
export function lossImpairment(lossPercent: number, codec: string | null): number {
  const { ie, bpl } = codecImpairment(codec);
  const ppl = Math.min(100, Math.max(0, lossPercent));
  return ie + ((95 - ie) * ppl) / (ppl + bpl);
}

/** G.107 Annex B: the R-factor's estimated mean opinion score. */
export function mosFromR(rFactor: number): number {
  if (rFactor < 0) return 1;
  if (rFactor > 100) return 4.5;
  return 1 + 0.035 * rFactor + rFactor * (rFactor - 60) * (100 - rFactor) * 7e-6;
}

/** The estimated one-way mouth-to-ear delay behind `Id` (see the file comment). */
export function estimatedOneWayDelayMs(figures: QualityFigures): number {
  return (figures.rttMs ?? 0) / 2 + 2 * Math.max(0, figures.jitterMs) + PACKETIZATION_MS;
}

export function estimateQuality(figures: QualityFigures): QualityEstimate {
  const rFactor =
    DEFAULT_R -
    delayImpairment(estimatedOneWayDelayMs(figures)) -
    lossImpairment(figures.lossPercent, figures.codec);
  return { rFactor, mos: mosFromR(rFactor) };
}

/**
 * The badge colour. G.107 Table B.1: R ≥ 80 (MOS ≥ 4.03) "satisfied", R 70–80 (MOS 3.60–4.03) "some
 * users dissatisfied", below R 70 "many users dissatisfied" and worse.
 */
export function qualityGrade(mos: number): QualityGrade {
  if (mos >= 4.0) return 'good';
  if (mos >= 3.6) return 'fair';
  return 'poor';
}

/** A call's worst figures so far: the most loss, jitter and delay, the lowest MOS. */
export interface WorstQuality {
  mos: number;
  lossPercent: number;
  jitterMs: number;
  rttMs: number | null;
  codec: string | null;
}

export function worseOf(
  worst: WorstQuality | null,
  figures: QualityFigures,
  estimate: QualityEstimate,
): WorstQuality {
  const mos = round(estimate.mos, 2);
  if (!worst) return { mos, ...figures };
  return {
    mos: Math.min(worst.mos, mos),
    lossPercent: Math.max(worst.lossPercent, figures.lossPercent),
    jitterMs: Math.max(worst.jitterMs, figures.jitterMs),
    rttMs:
      worst.rttMs === null
        ? figures.rttMs
        : figures.rttMs === null
          ? worst.rttMs
          : Math.max(worst.rttMs, figures.rttMs),
    codec: figures.codec ?? worst.codec,
  };
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
