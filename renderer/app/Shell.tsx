import { useEffect, useState } from 'react';
import { PhoneView } from '../calls/PhoneView';
import { IncomingCall } from '../calls/IncomingCall';
import { BlockNumberDialog } from '../calls/BlockNumberDialog';
import { SettingsView } from '../settings/SettingsView';
import { describeSync } from '../stores/sync';
import { Banner, Button } from '../ui';
import { useNow } from './hooks';
import { useWriteAccess } from './permissions';
import { SecretStorageNotice } from './SecretStorageNotice';
import { SyncIndicator } from './SyncIndicator';
import { AvailabilitySelect } from '../calls/AvailabilitySelect';
import { LineStatus } from './LineStatus';
import { useHistory, useSession, useStores, useSync } from './stores';
import { unseenMissedCount } from '../stores/history-query';
import { useCallShortcuts } from './call-shortcuts';
import { useHeadsetButtons } from './headset-buttons';
import { linkTrayAvailability } from './tray-availability';
import { usePhoneController } from './controller';
import { seesInbox } from '../stores/inbox';
import { InboxTabLabel } from '../settings/InboxTabLabel';

type View = 'phone' | 'settings';

/** The signed-in app: header with navigation and sync state, the offline banner, and the two views. */
export function Shell() {
  const stores = useStores();
  const session = useSession((state) => state.session);
  const sync = useSync((state) => state.state);
  const now = useNow(15_000);
  const access = useWriteAccess();
  const [view, setView] = useState<View>('phone');
  const [blockLast, setBlockLast] = useState<{ number: string } | null>(null);
  const controller = usePhoneController();
  useCallShortcuts(stores, controller);
  useHeadsetButtons(stores, controller);
  const lead = seesInbox(session);
  // Leads and admins: what waits in their inbox, counted on the Settings tab.
  useEffect(() => (lead ? stores.inbox.getState().poll() : undefined), [stores, lead]);
  const missed = useHistory((state) => unseenMissedCount(state.entries, state.missedSeenAt));
  useEffect(() => {
    void stores.api.invoke('tray:missedCalls', { count: missed }).catch(() => undefined);
  }, [stores, missed]);
  useEffect(() => linkTrayAvailability(stores.api, stores.phone), [stores]);

  useEffect(() => {
    const offDialer = stores.api.on('dialer:open', ({ number }) => {
      stores.calls.getState().setDialerText(number);
      setView('phone');
    });
    const offTray = stores.api.on('tray:blockLastCaller', () => {
      const last = stores.history
        .getState()
        .entries.find((entry) => entry.direction === 'inbound' && entry.number !== null);
      if (last?.number) setBlockLast({ number: last.number });
    });
    return () => {
      offDialer();
      offTray();
    };
  }, [stores]);

  const me = session?.signedIn ? session.me : null;
  return (
    <div className="bl-app">
      <header className="bl-header">
        <span className="bl-brand">Blockline</span>
        <nav aria-label="Main" className="bl-nav">
          <button
            type="button"
            className="bl-nav__item"
            aria-current={view === 'phone' ? 'page' : undefined}
            onClick={() => setView('phone')}
          >
            Phone
            {missed > 0 && (
              <>
                <span className="bl-count" data-testid="missed-count" aria-hidden="true">
                  {missed}
                </span>
                {/* Named from its content, not an aria-label, so the visible "Phone" stays in the name. */}
                <span className="bl-visually-hidden">{`, ${missed} missed ${missed === 1 ? 'call' : 'calls'}`}</span>
              </>
            )}
          </button>
          <button
            type="button"
            className="bl-nav__item"
            aria-current={view === 'settings' ? 'page' : undefined}
            onClick={() => setView('settings')}
          >
            Settings
            {lead && <InboxTabLabel label="" />}
          </button>
        </nav>
        <SyncIndicator />
        <AvailabilitySelect />
        <LineStatus />
        {me && (
          <span className="bl-header__user">
            {me.user.name} · {me.user.role} · {me.org.name}
          </span>
        )}
        <Button size="small" variant="ghost" onClick={() => void stores.session.getState().signOut()}>
          Sign out
        </Button>
      </header>
      {sync.status === 'offline' && (
        <Banner tone="warning" title="Offline" className="bl-offline">
          {describeSync(sync, now)}. Blocking keeps working with the local list; changes cannot be saved until
          the server is reachable ({sync.error}).
        </Banner>
      )}
      <SecretStorageNotice />
      <main className="bl-main" id="main">
        {view === 'phone' ? <PhoneView /> : <SettingsView />}
      </main>
      <IncomingCall />
      {blockLast && access.manager && (
        <BlockNumberDialog number={blockLast.number} onClose={() => setBlockLast(null)} />
      )}
    </div>
  );
}
