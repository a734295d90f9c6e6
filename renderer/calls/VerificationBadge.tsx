/** Caller verification as carriers pass it on (SPEC §3.3a). */
export function VerificationBadge({ verification }: { verification: 'passed' | 'failed' | 'none' | null }) {
  if (verification === null) return null;
  const label =
    verification === 'passed'
      ? 'Verified caller'
      : verification === 'failed'
        ? 'Verification failed'
        : 'Not verified';
  return <span className={`bl-tag bl-tag--verify-${verification}`}>{label}</span>;
}
