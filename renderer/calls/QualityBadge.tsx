import { useId } from 'react';
import type { CallQuality } from '../phone/quality-monitor';

const GRADE_LABEL: Record<CallQuality['grade'], string> = { good: 'Good', fair: 'Fair', poor: 'Poor' };

/** "4.1 (MOS) · 2.0 % loss · 12 ms jitter · 40 ms round trip · PCMU" */
export function describeFigures(quality: CallQuality): string {
  const { figures } = quality;
  return [
    `MOS ${quality.mos.toFixed(1)}`,
    `${figures.lossPercent.toFixed(1)} % packet loss`,
    `${Math.round(figures.jitterMs)} ms jitter`,
    figures.rttMs === null ? 'round trip unknown' : `${Math.round(figures.rttMs)} ms round trip`,
    figures.codec ?? 'codec unknown',
  ].join(' · ');
}

/**
 * The call card's quality badge (SPEC §10.7): the estimated MOS's grade in words and colour, the figures
 * on hover or keyboard focus, and a warning while the call sounds poor.
 */
export function QualityBadge({ quality }: { quality: CallQuality | null | undefined }) {
  const figuresId = useId();
  if (!quality) return null;
  const figures = describeFigures(quality);
  return (
    <>
      <span
        className={`bl-quality bl-quality--${quality.grade}`}
        tabIndex={0}
        aria-describedby={figuresId}
        data-testid="quality-badge"
        data-grade={quality.grade}
      >
        Quality: {GRADE_LABEL[quality.grade]}
        <span role="tooltip" id={figuresId} className="bl-quality__figures">
          {figures}
        </span>
      </span>
      {quality.grade === 'poor' && (
        <p className="bl-quality__warning" role="status">
          Call quality has dropped ({quality.figures.lossPercent.toFixed(1)} % packet loss,{' '}
          {Math.round(quality.figures.jitterMs)} ms jitter): the other side may hear gaps.
        </p>
      )}
    </>
  );
}
