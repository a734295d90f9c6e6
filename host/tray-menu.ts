/**
 * What the tray shows (SPEC §8, §10.4, §10.10), as plain data: the status lines (each line's
 * registration, the list's sync state, calls blocked today, missed calls), the agent's availability as a
 * choice (Available / Do not disturb), and the actions. Electron's main process only turns this model into
 * a `Menu` (electron/main.ts); everything it shows is decided here and unit-tested without Electron.
 */
import type { Availability, TrayLineStatus } from '../shared/contracts/ipc';

export type TrayActionId = 'toggle-window' | 'block-last-caller' | 'quit';

/** What the tray shows: status lines (disabled items), the availability choice and actions. */
export type TrayMenuItem =
  | { kind: 'status'; label: string }
  | { kind: 'separator' }
  | { kind: 'choice'; availability: Availability; label: string; checked: boolean }
  | { kind: 'action'; id: TrayActionId; label: string; enabled: boolean };

export interface TrayStatusInput {
  registeredLines: number;
  totalLines: number;
  /** Each line's registration, when the phone reported them. */
  lines?: readonly TrayLineStatus[];
  /** The agent's availability, when the phone reported it (absent: the choice is not offered). */
  availability?: Availability;
  sync:
    | { status: 'signed_out' }
    | { status: 'syncing'; ruleCount: number }
    | { status: 'synced'; ruleCount: number; syncedAt: string }
    | { status: 'offline'; ruleCount: number; lastSyncedAt: string | null };
  blockedToday: number;
  /** Missed calls not yet seen in the history (SPEC §10.10). */
  missedCalls?: number;
  canManage: boolean;
}

export const AVAILABILITY_LABELS: Record<Availability, string> = {
  available: 'Available',
  dnd: 'Do not disturb',
};

const LINE_STATUS_WORDS: Record<TrayLineStatus['status'], string> = {
  registered: 'registered',
  registering: 'registering…',
  connecting: 'connecting…',
  unregistered: 'not registered',
  failed: 'registration failed',
  stopped: 'off',
};

/** At most this many lines get their own row; the rest are counted in the summary row. */
const MAX_LINE_ROWS = 8;

function describeSync(sync: TrayStatusInput['sync'], now: Date): string {
  switch (sync.status) {
    case 'signed_out':
      return 'Not signed in';
    case 'syncing':
      return `Syncing… (${sync.ruleCount} rules)`;
    case 'synced':
      return `Blocklist synced (${sync.ruleCount} rules)`;
    case 'offline': {
      if (sync.lastSyncedAt === null) return `Offline — never synced (${sync.ruleCount} rules)`;
      const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(sync.lastSyncedAt)) / 60_000));
      const age =
        minutes < 60
          ? `${minutes} min`
          : minutes < 48 * 60
            ? `${Math.round(minutes / 60)} h`
            : `${Math.round(minutes / 1440)} days`;
      return `Offline — list from ${age} ago (${sync.ruleCount} rules)`;
    }
  }
}

function lineRows(status: TrayStatusInput): TrayMenuItem[] {
  const lines = status.lines ?? [];
  const rows: TrayMenuItem[] = [
    { kind: 'status', label: `Lines registered: ${status.registeredLines} of ${status.totalLines}` },
  ];
  // One line needs no second row: the summary says it all.
  if (lines.length < 2) return rows;
  for (const line of lines.slice(0, MAX_LINE_ROWS)) {
    rows.push({ kind: 'status', label: `  ${line.line}: ${LINE_STATUS_WORDS[line.status]}` });
  }
  return rows;
}

function availabilityChoice(status: TrayStatusInput): TrayMenuItem[] {
  if (status.availability === undefined) return [];
  const current = status.availability;
  return [
    { kind: 'separator' },
    ...(['available', 'dnd'] as const).map((availability): TrayMenuItem => ({
      kind: 'choice',
      availability,
      label: AVAILABILITY_LABELS[availability],
      checked: availability === current,
    })),
  ];
}

export function buildTrayMenuModel(
  status: TrayStatusInput,
  windowVisible: boolean,
  now: Date,
): TrayMenuItem[] {
  return [
    ...lineRows(status),
    { kind: 'status', label: describeSync(status.sync, now) },
    { kind: 'status', label: `Calls blocked today: ${status.blockedToday}` },
    ...(status.missedCalls
      ? [{ kind: 'status' as const, label: `Missed calls: ${status.missedCalls}` }]
      : []),
    ...availabilityChoice(status),
    { kind: 'separator' },
    {
      kind: 'action',
      id: 'toggle-window',
      label: windowVisible ? 'Hide Blockline' : 'Show Blockline',
      enabled: true,
    },
    // SPEC §7.1a: only those who may manage the list get the shortcut.
    ...(status.canManage
      ? [
          {
            kind: 'action',
            id: 'block-last-caller',
            label: 'Block last caller…',
            enabled: status.sync.status !== 'signed_out',
          } as const,
        ]
      : []),
    { kind: 'separator' },
    { kind: 'action', id: 'quit', label: 'Quit Blockline', enabled: true },
  ];
}

export function trayTooltip(status: TrayStatusInput, now: Date): string {
  const missed = status.missedCalls ? `, ${status.missedCalls} missed` : '';
  const dnd = status.availability === 'dnd' ? ', Do not disturb' : '';
  return `Blockline — ${status.registeredLines}/${status.totalLines} lines${dnd}, ${describeSync(status.sync, now)}, ${status.blockedToday} blocked today${missed}`;
}
