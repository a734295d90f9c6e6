import { useBlocklist, usePhone } from '../app/stores';
import { displayNumber } from '../app/format';
import { Dialer } from './Dialer';
import { History } from './History';
import { InCallList } from './InCall';
import { WrapUpList } from './WrapUp';

/** Phone: line status, dialer, calls in progress and history. */
export function PhoneView() {
  const lines = usePhone((state) => state.lines);
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const lineList = Object.values(lines);
  return (
    <div className="bl-phone">
      <h1 className="bl-visually-hidden">Phone</h1>
      <div className="bl-phone__lines" role="status" aria-label="Lines">
        {lineList.length === 0
          ? 'No SIP account on this computer: add one in Settings → Phone.'
          : lineList.map((line) => (
              <span key={line.accountId} className={`bl-line bl-line--${line.status}`}>
                {displayNumber(line.lineNumber, country)}: {line.status}
                {line.error ? ` (${line.error})` : ''}
              </span>
            ))}
      </div>
      <div className="bl-phone__columns">
        <div className="bl-phone__left">
          <InCallList />
          <WrapUpList />
          <Dialer />
        </div>
        <History />
      </div>
    </div>
  );
}
