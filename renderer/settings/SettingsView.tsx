import { useRef, useState, type KeyboardEvent } from 'react';
import { BlockedNumbers } from './BlockedNumbers';
import { Policies } from './Policies';
import { PhoneSettings } from './PhoneSettings';
import { LeadInbox } from './LeadInbox';
import { InboxTabLabel } from './InboxTabLabel';
import { useSession } from '../app/stores';
import { seesInbox } from '../stores/inbox';

const ALL_TABS = [
  { id: 'blocked', label: 'Blocked numbers' },
  { id: 'policies', label: 'Policies' },
  { id: 'phone', label: 'Phone' },
  { id: 'inbox', label: 'Inbox', leadsOnly: true },
] as const;
type TabId = (typeof ALL_TABS)[number]['id'];

/** Settings with tabs (arrow keys move between tabs, as screen-reader users expect). */
export function SettingsView({ initialTab = 'blocked' }: { initialTab?: TabId }) {
  const lead = useSession((state) => seesInbox(state.session));
  const TABS = ALL_TABS.filter((candidate) => lead || !('leadsOnly' in candidate));
  const [tab, setTab] = useState<TabId>(initialTab);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = TABS.findIndex((candidate) => candidate.id === tab);
    let next = at;
    if (event.key === 'ArrowRight') next = (at + 1) % TABS.length;
    else if (event.key === 'ArrowLeft') next = (at - 1 + TABS.length) % TABS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = TABS.length - 1;
    else return;
    event.preventDefault();
    const target = TABS[next];
    if (!target) return;
    setTab(target.id);
    tabRefs.current[target.id]?.focus();
  };
  return (
    <div className="bl-settings">
      <h1 className="bl-visually-hidden">Settings</h1>
      <div role="tablist" aria-label="Settings sections" className="bl-tabs" onKeyDown={onKeyDown}>
        {TABS.map((candidate) => (
          <button
            key={candidate.id}
            ref={(element) => {
              tabRefs.current[candidate.id] = element;
            }}
            type="button"
            role="tab"
            id={`tab-${candidate.id}`}
            aria-selected={tab === candidate.id}
            aria-controls={`panel-${candidate.id}`}
            tabIndex={tab === candidate.id ? 0 : -1}
            className="bl-tabs__tab"
            onClick={() => setTab(candidate.id)}
          >
            {candidate.id === 'inbox' ? <InboxTabLabel /> : candidate.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="bl-tabpanel">
        {tab === 'blocked' && <BlockedNumbers />}
        {tab === 'policies' && <Policies />}
        {tab === 'phone' && <PhoneSettings />}
        {tab === 'inbox' && lead && <LeadInbox />}
      </div>
    </div>
  );
}
