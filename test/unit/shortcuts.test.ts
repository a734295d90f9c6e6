import { describe, expect, it } from 'vitest';
import {
  actionForPress,
  conflictsAfterRegistration,
  DEFAULT_SHORTCUTS,
  describeConflict,
  parseAccelerator,
  planGlobalShortcuts,
  targetCallFor,
  type CallForShortcut,
  type KeyPress,
} from '../../shared/shortcuts';

const press = (code: string, modifiers: Partial<KeyPress> = {}): KeyPress => ({
  key: code.replace(/^Key/, '').toLowerCase(),
  code,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  metaKey: false,
  ...modifiers,
});

describe('accelerators', () => {
  it('reads Electron’s syntax; CommandOrControl is Cmd on macOS, Ctrl elsewhere', () => {
    const linux = parseAccelerator('CommandOrControl+Shift+A', 'linux');
    expect(typeof linux !== 'string' && [...linux.modifiers].sort()).toEqual(['ctrl', 'shift']);
    const mac = parseAccelerator('CmdOrCtrl+Shift+a', 'darwin');
    expect(typeof mac !== 'string' && [...mac.modifiers].sort()).toEqual(['meta', 'shift']);
    expect(parseAccelerator('Alt+F9', 'win32')).toMatchObject({ key: 'F9' });
  });

  it('refuses what is not a shortcut, saying why', () => {
    expect(parseAccelerator('Ctrl+Shift', 'linux')).toMatch(/needs a key/);
    expect(parseAccelerator('Ctrl+A+B', 'linux')).toMatch(/Only one key/);
    expect(parseAccelerator('A+Ctrl', 'linux')).toMatch(/comes last/);
    expect(parseAccelerator('Ctrl+Ä', 'linux')).toMatch(/not a key/);
    expect(parseAccelerator('Ctrl++', 'linux')).toMatch(/Modifier\+Key/);
  });

  it('matches a key press by physical key and exact modifiers', () => {
    expect(actionForPress(DEFAULT_SHORTCUTS, press('KeyA', { ctrlKey: true, shiftKey: true }), 'linux')).toBe(
      'answer',
    );
    expect(actionForPress(DEFAULT_SHORTCUTS, press('KeyM', { ctrlKey: true, shiftKey: true }), 'linux')).toBe(
      'mute',
    );
    // Shift makes key "A", a layout may make it anything: the code decides.
    expect(
      actionForPress(
        DEFAULT_SHORTCUTS,
        { ...press('KeyH', { ctrlKey: true, shiftKey: true }), key: 'Ĥ' },
        'linux',
      ),
    ).toBe('hold');
    expect(actionForPress(DEFAULT_SHORTCUTS, press('KeyA', { ctrlKey: true }), 'linux')).toBeNull();
    expect(
      actionForPress(
        DEFAULT_SHORTCUTS,
        press('KeyA', { ctrlKey: true, shiftKey: true, altKey: true }),
        'linux',
      ),
    ).toBeNull();
    expect(
      actionForPress(DEFAULT_SHORTCUTS, press('KeyE', { metaKey: true, shiftKey: true }), 'darwin'),
    ).toBe('hangup');
    expect(
      actionForPress(
        { ...DEFAULT_SHORTCUTS, mute: null },
        press('KeyM', { ctrlKey: true, shiftKey: true }),
        'linux',
      ),
    ).toBeNull();
  });
});

describe('which call a shortcut acts on', () => {
  const call = (
    id: string,
    state: CallForShortcut['state'],
    startedAt: number,
    held = false,
  ): CallForShortcut => ({
    id,
    state,
    held,
    startedAt,
  });

  it('answer takes the incoming call; hang up the live call before a waiting one', () => {
    const calls = [call('live', 'connected', 1), call('waiting', 'incoming', 2)];
    expect(targetCallFor('answer', calls)).toBe('waiting');
    expect(targetCallFor('hangup', calls)).toBe('live');
    expect(targetCallFor('mute', calls)).toBe('live');
    expect(targetCallFor('hangup', [call('ringing', 'incoming', 1)])).toBe('ringing');
    expect(targetCallFor('hangup', [call('out', 'ringing', 1)])).toBe('out');
  });

  it('hold resumes the held call when none is live; mute needs a live call', () => {
    const calls = [call('held', 'connected', 1, true)];
    expect(targetCallFor('hold', calls)).toBe('held');
    expect(targetCallFor('mute', calls)).toBeNull();
    expect(targetCallFor('answer', [])).toBeNull();
  });
});

describe('global shortcut registration (Electron globalShortcut, a pure plan)', () => {
  it('registers the defaults with Electron’s spelling for each platform', () => {
    expect(planGlobalShortcuts(DEFAULT_SHORTCUTS, 'linux')).toEqual({
      register: [
        { action: 'answer', accelerator: 'Ctrl+Shift+A' },
        { action: 'hangup', accelerator: 'Ctrl+Shift+E' },
        { action: 'mute', accelerator: 'Ctrl+Shift+M' },
        { action: 'hold', accelerator: 'Ctrl+Shift+H' },
      ],
      conflicts: [],
    });
    expect(planGlobalShortcuts(DEFAULT_SHORTCUTS, 'darwin').register[0]).toEqual({
      action: 'answer',
      accelerator: 'Shift+Command+A',
    });
  });

  it('reports duplicates, invalid text, OS-reserved combinations and modifier-less keys, and skips them', () => {
    const plan = planGlobalShortcuts(
      { answer: 'Ctrl+Shift+A', hangup: 'Control+Shift+a', mute: 'Alt+F4', hold: 'Shift+H' },
      'win32',
    );
    expect(plan.register).toEqual([{ action: 'answer', accelerator: 'Ctrl+Shift+A' }]);
    expect(plan.conflicts.map((conflict) => [conflict.action, conflict.reason])).toEqual([
      ['hangup', 'duplicate'],
      ['mute', 'reserved'],
      ['hold', 'reserved'],
    ]);
    expect(
      planGlobalShortcuts({ ...DEFAULT_SHORTCUTS, answer: 'Ctrl+' }, 'linux').conflicts[0],
    ).toMatchObject({
      action: 'answer',
      reason: 'invalid',
    });
    // A function key past F12 or the media key may stand alone.
    expect(
      planGlobalShortcuts({ answer: 'F13', hangup: null, mute: null, hold: null }, 'linux').register,
    ).toHaveLength(1);
  });

  it('turns refused registrations (another app holds them) into “taken” conflicts with words for people', () => {
    const plan = planGlobalShortcuts(DEFAULT_SHORTCUTS, 'linux');
    const conflicts = conflictsAfterRegistration(plan, (accelerator) => accelerator !== 'Ctrl+Shift+M');
    expect(conflicts).toEqual([{ action: 'mute', accelerator: 'Ctrl+Shift+M', reason: 'taken' }]);
    expect(conflicts.map(describeConflict)).toEqual([
      'Mute / unmute: another application already uses Ctrl+Shift+M',
    ]);
  });
});
