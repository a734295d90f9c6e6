import { useRef, useState, type KeyboardEvent } from 'react';
import type { Role } from '../../shared/contracts/api';
import { useSession } from '../app/stores';
import { Activity } from './activity/Activity';
import { AuditView } from './audit/AuditView';
import { BlockedNumbers } from './BlockedNumbers';
import { Policies } from './Policies';
import { PhoneSettings } from './PhoneSettings';
import { People } from './people/People';
import { LeadInbox } from './LeadInbox';
import { InboxTabLabel } from './InboxTabLabel';

const ALL_TABS = [
  { id: 'blocked', label: 'Blocked numbers', roles: ['admin', 'lead', 'agent'] },
  { id: 'policies', label: 'Policies', roles: ['admin', 'lead', 'agent'] },
  { id: 'phone', label: 'Phone', roles: ['admin', 'lead', 'agent'] },
  // SPEC §11.4, §7.1b, §12: leads and admins see the inbox and the oversight views; the server enforces the same roles.
  { id: 'inbox', label: 'Inbox', roles: ['admin', 'lead'] },
  { id: 'activity', label: 'Activity', roles: ['admin', 'lead'] },
  { id: 'audit', label: 'Audit', roles: ['admin', 'lead'] },
  { id: 'people', label: 'People', roles: ['admin'] },
] as const satisfies readonly { id: string; label: string; roles: readonly Role[] }[];
type TabId = (typeof ALL_TABS)[number]['id'];

/** Settings with tabs (arrow keys move between tabs, as screen-reader users expect). */
export function SettingsView({ initialTab = 'blocked' }: { initialTab?: TabId }) {
  const session = useSession((state) => state.session);
  const role: Role = session?.signedIn ? session.me.user.role : 'agent';
  const TABS = ALL_TABS.filter((candidate) => (candidate.roles as readonly Role[]).includes(role));
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
        {tab === 'inbox' && <LeadInbox />}
        {tab === 'activity' && <Activity />}
        {tab === 'audit' && <AuditView />}
        {tab === 'people' && <People />}
      </div>
    </div>
  );
}
