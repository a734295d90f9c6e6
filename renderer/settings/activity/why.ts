import { BLOCKED_WHYS, type BlockedWhy } from '../../../shared/contracts/oversight';

/** The dashboard's words and colours for each why; colours are CSS variables, so both themes apply. */
export const WHY_LABELS: Record<BlockedWhy, string> = {
  number: 'Number',
  prefix: 'Prefix',
  anonymous: 'Anonymous',
  verification: 'Verification failed',
  auto: 'Auto-block',
  unknown: 'Unknown (older reports)',
};

export const WHY_COLORS: Record<BlockedWhy, string> = {
  number: 'var(--why-number)',
  prefix: 'var(--why-prefix)',
  anonymous: 'var(--why-anonymous)',
  verification: 'var(--why-verification)',
  auto: 'var(--why-auto)',
  unknown: 'var(--why-unknown)',
};

export { BLOCKED_WHYS };
