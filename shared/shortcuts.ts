/**
 * Keyboard shortcuts for call control (SPEC §10.9): the accelerator syntax (Electron's, e.g.
 * `CommandOrControl+Shift+A`), matching a key press in the window, which call an action applies to, and
 * the plan for registering global shortcuts (Electron `globalShortcut`) with every conflict reported.
 * Pure: no DOM or Electron types; a key press is the plain fields of a KeyboardEvent.
 */

export const CALL_ACTIONS = ['answer', 'hangup', 'mute', 'hold'] as const;
export type CallAction = (typeof CALL_ACTIONS)[number];

export type ShortcutBindings = Record<CallAction, string | null>;

/** Chosen to clash with nothing common in a browser, a CRM page or the OS. */
export const DEFAULT_SHORTCUTS: ShortcutBindings = {
  answer: 'CommandOrControl+Shift+A',
  hangup: 'CommandOrControl+Shift+E',
  mute: 'CommandOrControl+Shift+M',
  hold: 'CommandOrControl+Shift+H',
};

export const ACTION_LABELS: Record<CallAction, string> = {
  answer: 'Answer',
  hangup: 'Hang up / decline',
  mute: 'Mute / unmute',
  hold: 'Hold / resume',
};

type Modifier = 'ctrl' | 'alt' | 'shift' | 'meta';

export interface Accelerator {
  modifiers: ReadonlySet<Modifier>;
  /** Upper-case letter, digit, `F1`–`F24`, or a named key (`Space`, `Enter`, `Escape` …). */
  key: string;
}

const MODIFIER_NAMES: Record<string, Modifier | 'commandOrControl'> = {
  commandorcontrol: 'commandOrControl',
  cmdorctrl: 'commandOrControl',
  control: 'ctrl',
  ctrl: 'ctrl',
  alt: 'alt',
  option: 'alt',
  altgr: 'alt',
  shift: 'shift',
  super: 'meta',
  meta: 'meta',
  command: 'meta',
  cmd: 'meta',
};

const NAMED_KEYS: Record<string, string> = {
  space: 'Space',
  enter: 'Enter',
  return: 'Enter',
  escape: 'Escape',
  esc: 'Escape',
  tab: 'Tab',
  backspace: 'Backspace',
  delete: 'Delete',
  insert: 'Insert',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pagedown: 'PageDown',
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  mediaplaypause: 'MediaPlayPause',
};

export type Platform = 'darwin' | 'win32' | 'linux' | string;

/** Parses an accelerator; `CommandOrControl` is Cmd on macOS and Ctrl elsewhere. */
export function parseAccelerator(text: string, platform: Platform): Accelerator | string {
  const parts = text.split('+').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === ''))
    return 'Write it as Modifier+Key, e.g. Ctrl+Shift+A';
  const modifiers = new Set<Modifier>();
  let key: string | null = null;
  for (const part of parts) {
    const modifier = MODIFIER_NAMES[part.toLowerCase()];
    if (modifier) {
      if (key !== null) return 'The key comes last, after the modifiers';
      modifiers.add(modifier === 'commandOrControl' ? (platform === 'darwin' ? 'meta' : 'ctrl') : modifier);
      continue;
    }
    if (key !== null) return 'Only one key besides the modifiers';
    key = normalizeKey(part);
    if (key === null) return `"${part}" is not a key a shortcut can use`;
  }
  if (key === null) return 'A shortcut needs a key besides the modifiers';
  return { modifiers, key };
}

function normalizeKey(part: string): string | null {
  if (/^[a-z0-9]$/i.test(part)) return part.toUpperCase();
  if (/^f([1-9]|1[0-9]|2[0-4])$/i.test(part)) return part.toUpperCase();
  return NAMED_KEYS[part.toLowerCase()] ?? null;
}

/** The fields of a KeyboardEvent the matcher reads. */
export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

/** The key of a press, by physical position for letters and digits (Shift and layouts change `key`). */
function keyOfPress(press: KeyPress): string | null {
  const letter = /^Key([A-Z])$/.exec(press.code);
  if (letter?.[1]) return letter[1];
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(press.code);
  if (digit?.[1]) return digit[1];
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(press.key)) return press.key;
  const named: Record<string, string> = {
    ' ': 'Space',
    Enter: 'Enter',
    Escape: 'Escape',
    Tab: 'Tab',
    Backspace: 'Backspace',
    Delete: 'Delete',
    Insert: 'Insert',
    Home: 'Home',
    End: 'End',
    PageUp: 'PageUp',
    PageDown: 'PageDown',
    ArrowUp: 'Up',
    ArrowDown: 'Down',
    ArrowLeft: 'Left',
    ArrowRight: 'Right',
    MediaPlayPause: 'MediaPlayPause',
  };
  return named[press.key] ?? null;
}

export function matchesPress(accelerator: Accelerator, press: KeyPress): boolean {
  const { modifiers } = accelerator;
  return (
    keyOfPress(press) === accelerator.key &&
    press.ctrlKey === modifiers.has('ctrl') &&
    press.altKey === modifiers.has('alt') &&
    press.shiftKey === modifiers.has('shift') &&
    press.metaKey === modifiers.has('meta')
  );
}

/** The action a key press in the window asks for, or null. */
export function actionForPress(
  bindings: ShortcutBindings,
  press: KeyPress,
  platform: Platform,
): CallAction | null {
  for (const action of CALL_ACTIONS) {
    const text = bindings[action];
    if (!text) continue;
    const accelerator = parseAccelerator(text, platform);
    if (typeof accelerator !== 'string' && matchesPress(accelerator, press)) return action;
  }
  return null;
}

/** The parts of a call snapshot the target choice reads. */
export interface CallForShortcut {
  id: string;
  state: 'incoming' | 'dialing' | 'ringing' | 'connected' | 'ended';
  held: boolean;
  startedAt: number;
}

/**
 * Which call an action applies to: answer → the ringing incoming call; hang up → the live (not held)
 * connected call, else an outgoing call still ringing, else the incoming call (declined); mute and hold
 * → the live connected call (hold: the newest held one when none is live, to resume it).
 */
export function targetCallFor(action: CallAction, calls: readonly CallForShortcut[]): string | null {
  const newestFirst = [...calls].sort((a, b) => b.startedAt - a.startedAt);
  const incoming = newestFirst.find((call) => call.state === 'incoming');
  const live = newestFirst.find((call) => call.state === 'connected' && !call.held);
  const held = newestFirst.find((call) => call.state === 'connected' && call.held);
  const outgoing = newestFirst.find((call) => call.state === 'dialing' || call.state === 'ringing');
  switch (action) {
    case 'answer':
      return incoming?.id ?? null;
    case 'hangup':
      return (live ?? outgoing ?? incoming)?.id ?? null;
    case 'mute':
      return live?.id ?? null;
    case 'hold':
      return (live ?? held)?.id ?? null;
  }
}

// ------------------------------------------------------------------------------------ global shortcuts

export type ShortcutConflict =
  | { action: CallAction; accelerator: string; reason: 'invalid'; message: string }
  | { action: CallAction; accelerator: string; reason: 'duplicate'; otherAction: CallAction }
  | { action: CallAction; accelerator: string; reason: 'reserved'; message: string }
  | { action: CallAction; accelerator: string; reason: 'taken' };

export interface GlobalShortcutPlan {
  /** Register these, in order (Electron's canonical accelerator text). */
  register: Array<{ action: CallAction; accelerator: string }>;
  conflicts: ShortcutConflict[];
}

/** What the OS keeps for itself: a global registration would fail or, worse, steal it. */
const RESERVED: Record<string, string[]> = {
  darwin: [
    'Meta+Q',
    'Meta+W',
    'Meta+Tab',
    'Meta+Space',
    'Meta+H',
    'Meta+M',
    'Meta+C',
    'Meta+V',
    'Meta+X',
    'Meta+Z',
    'Meta+A',
  ],
  win32: [
    'Alt+F4',
    'Alt+Tab',
    'Ctrl+Alt+Delete',
    'Ctrl+Shift+Escape',
    'Meta+L',
    'Meta+D',
    'Ctrl+C',
    'Ctrl+V',
    'Ctrl+X',
    'Ctrl+Z',
    'Ctrl+A',
  ],
  linux: [
    'Alt+F4',
    'Alt+Tab',
    'Ctrl+Alt+Delete',
    'Ctrl+Alt+T',
    'Ctrl+C',
    'Ctrl+V',
    'Ctrl+X',
    'Ctrl+Z',
    'Ctrl+A',
  ],
};

function canonical(accelerator: Accelerator): string {
  const order: Modifier[] = ['ctrl', 'alt', 'shift', 'meta'];
  const names: Record<Modifier, string> = { ctrl: 'Ctrl', alt: 'Alt', shift: 'Shift', meta: 'Meta' };
  return [
    ...order.filter((modifier) => accelerator.modifiers.has(modifier)).map((m) => names[m]),
    accelerator.key,
  ].join('+');
}

/** Electron's spelling of a parsed accelerator (`Meta` is `Super` there on Linux/Windows, `Command` on macOS). */
function electronAccelerator(accelerator: Accelerator, platform: Platform): string {
  return canonical(accelerator).replace('Meta', platform === 'darwin' ? 'Command' : 'Super');
}

/**
 * Which global shortcuts to register: each binding parsed, duplicates, OS-reserved combinations and
 * shortcuts without a modifier (they would swallow the key in every other app) reported, not registered.
 */
export function planGlobalShortcuts(bindings: ShortcutBindings, platform: Platform): GlobalShortcutPlan {
  const plan: GlobalShortcutPlan = { register: [], conflicts: [] };
  const claimed = new Map<string, CallAction>();
  const reserved = new Set(RESERVED[platform] ?? RESERVED.linux);
  for (const action of CALL_ACTIONS) {
    const text = bindings[action];
    if (!text) continue;
    const parsed = parseAccelerator(text, platform);
    if (typeof parsed === 'string') {
      plan.conflicts.push({ action, accelerator: text, reason: 'invalid', message: parsed });
      continue;
    }
    const key = canonical(parsed);
    const owner = claimed.get(key);
    if (owner) {
      plan.conflicts.push({ action, accelerator: text, reason: 'duplicate', otherAction: owner });
      continue;
    }
    if (reserved.has(key)) {
      plan.conflicts.push({
        action,
        accelerator: text,
        reason: 'reserved',
        message: 'The system uses this combination',
      });
      continue;
    }
    const onlyShift =
      parsed.modifiers.size === 0 || (parsed.modifiers.size === 1 && parsed.modifiers.has('shift'));
    if (onlyShift && !/^F(1[3-9]|2[0-4])$/.test(parsed.key) && parsed.key !== 'MediaPlayPause') {
      plan.conflicts.push({
        action,
        accelerator: text,
        reason: 'reserved',
        message: 'A global shortcut needs Ctrl, Alt or Cmd, or it would take the key from every other app',
      });
      continue;
    }
    claimed.set(key, action);
    plan.register.push({ action, accelerator: electronAccelerator(parsed, platform) });
  }
  return plan;
}

/** After registering: the ones the OS refused (another app holds them) become `taken` conflicts. */
export function conflictsAfterRegistration(
  plan: GlobalShortcutPlan,
  registered: (accelerator: string) => boolean,
): ShortcutConflict[] {
  const taken: ShortcutConflict[] = plan.register
    .filter((entry) => !registered(entry.accelerator))
    .map((entry) => ({ action: entry.action, accelerator: entry.accelerator, reason: 'taken' }));
  return [...plan.conflicts, ...taken];
}

export function describeConflict(conflict: ShortcutConflict): string {
  const label = ACTION_LABELS[conflict.action];
  switch (conflict.reason) {
    case 'invalid':
      return `${label}: ${conflict.message}`;
    case 'duplicate':
      return `${label}: ${conflict.accelerator} is already ${ACTION_LABELS[conflict.otherAction]}`;
    case 'reserved':
      return `${label}: ${conflict.accelerator} — ${conflict.message}`;
    case 'taken':
      return `${label}: another application already uses ${conflict.accelerator}`;
  }
}
