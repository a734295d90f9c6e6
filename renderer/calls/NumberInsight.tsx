import { useEffect } from 'react';
import { useInsight, useStores } from '../app/stores';
import { describeInsight } from './insight-words';
import '../styles/oversight.css';

/**
 * One line of what the org knows of a number, asked for in the background when it first shows: the
 * call it belongs to has already been decided and rung, and nothing waits for it (SPEC §12.3).
 */
export function NumberInsight({ number }: { number: string }) {
  const stores = useStores();
  const entry = useInsight((state) => state.byNumber[number]);
  useEffect(() => {
    stores.insight.getState().request(number);
  }, [stores, number]);
  if (entry?.status !== 'ready') return null;
  const parts = describeInsight(entry.insight);
  if (parts.length === 0) return null;
  const text = parts.join(' · ');
  return (
    <span className="bl-insight" data-testid="number-insight" title={text}>
      {text}
    </span>
  );
}
