import { displayNumber } from './format';
import { useBlocklist, usePhone } from './stores';
import type { LineSnapshot } from '../phone/types';

const WORDS: Record<LineSnapshot['status'], string> = {
  stopped: 'off',
  connecting: 'reconnecting…',
  registering: 'registering…',
  registered: 'registered',
  unregistered: 'not registered',
  failed: 'failed',
};

/** Each line's registration in the header (SPEC §10.6): an agent sees a dropped line at once. */
export function LineStatus() {
  const lines = usePhone((state) => state.lines);
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const list = Object.values(lines);
  if (list.length === 0) return null;
  return (
    <ul className="bl-header__lines" aria-label="Line registration">
      {list.map((line) => (
        <li
          key={line.accountId}
          className={`bl-line bl-line--${line.status}`}
          data-testid="header-line"
          data-status={line.status}
          title={line.error ?? undefined}
        >
          {displayNumber(line.lineNumber, country)}: {WORDS[line.status]}
        </li>
      ))}
    </ul>
  );
}
