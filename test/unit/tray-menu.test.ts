/** The tray's menu model (host/tray-menu.ts): what Electron's tray shows, asserted without Electron. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrayStatus } from '../../host/services';
import { buildTrayMenuModel, trayTooltip, type TrayStatusInput } from '../../host/tray-menu';
import { offlineElectronServices } from './host-services-helpers';

describe('tray', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  const status = (overrides: Partial<TrayStatusInput> = {}): TrayStatusInput => ({
    registeredLines: 1,
    totalLines: 2,
    sync: { status: 'synced', ruleCount: 42, syncedAt: '2026-01-10T11:59:00Z' },
    blockedToday: 3,
    canManage: true,
    ...overrides,
  });

  it('shows lines, sync state and calls blocked today', () => {
    const labels = buildTrayMenuModel(status(), true, now).flatMap((item) =>
      item.kind === 'status' ? [item.label] : [],
    );
    expect(labels).toEqual([
      'Lines registered: 1 of 2',
      'Blocklist synced (42 rules)',
      'Calls blocked today: 3',
    ]);
  });

  it('shows missed calls not yet seen, only when there are some (SPEC §10.10)', () => {
    const labels = buildTrayMenuModel(status({ missedCalls: 2 }), true, now).flatMap((item) =>
      item.kind === 'status' ? [item.label] : [],
    );
    expect(labels).toContain('Missed calls: 2');
    expect(trayTooltip(status({ missedCalls: 2 }), now)).toContain('2 missed');
    expect(trayTooltip(status({ missedCalls: 0 }), now)).not.toContain('missed');
  });

  it('shows the age and size of the local list when offline', () => {
    const model = buildTrayMenuModel(
      status({ sync: { status: 'offline', ruleCount: 42, lastSyncedAt: '2026-01-10T09:00:00Z' } }),
      true,
      now,
    );
    expect(model).toContainEqual({ kind: 'status', label: 'Offline — list from 3 h ago (42 rules)' });
    expect(trayTooltip(status(), now)).toContain('1/2 lines');
  });

  it('offers "Block last caller" only to those who may manage', () => {
    const ids = (input: TrayStatusInput) =>
      buildTrayMenuModel(input, false, now).flatMap((item) => (item.kind === 'action' ? [item.id] : []));
    expect(ids(status())).toEqual(['toggle-window', 'block-last-caller', 'quit']);
    expect(ids(status({ canManage: false }))).toEqual(['toggle-window', 'quit']);
  });

  it('labels the window toggle by visibility', () => {
    const toggle = (visible: boolean) =>
      buildTrayMenuModel(status(), visible, now).find(
        (item) => item.kind === 'action' && item.id === 'toggle-window',
      );
    expect(toggle(true)).toMatchObject({ label: 'Hide Blockline' });
    expect(toggle(false)).toMatchObject({ label: 'Show Blockline' });
  });
  it('offers Available / Do not disturb as a choice with the current one checked (SPEC §10.4)', () => {
    const choices = (input: TrayStatusInput) =>
      buildTrayMenuModel(input, true, now).flatMap((item) =>
        item.kind === 'choice' ? [[item.availability, item.label, item.checked]] : [],
      );
    expect(choices(status({ availability: 'available' }))).toEqual([
      ['available', 'Available', true],
      ['dnd', 'Do not disturb', false],
    ]);
    expect(choices(status({ availability: 'dnd' }))).toEqual([
      ['available', 'Available', false],
      ['dnd', 'Do not disturb', true],
    ]);
    // Before the phone says where the agent stands, nothing is offered (a guess would be wrong half the time).
    expect(choices(status())).toEqual([]);
    expect(trayTooltip(status({ availability: 'dnd' }), now)).toContain('Do not disturb');
    expect(trayTooltip(status({ availability: 'available' }), now)).not.toContain('Do not disturb');
  });

  it("shows each line's registration when there are several", () => {
    const labels = buildTrayMenuModel(
      status({
        lines: [
          { line: '+12125550100', status: 'registered' },
          { line: 'sip:agent2@pbx.example.com', status: 'failed' },
        ],
      }),
      true,
      now,
    ).flatMap((item) => (item.kind === 'status' ? [item.label] : []));
    expect(labels.slice(0, 3)).toEqual([
      'Lines registered: 1 of 2',
      '  +12125550100: registered',
      '  sip:agent2@pbx.example.com: registration failed',
    ]);
    const one = buildTrayMenuModel(
      status({ registeredLines: 1, totalLines: 1, lines: [{ line: '+12125550100', status: 'registered' }] }),
      true,
      now,
    ).filter((item) => item.kind === 'status');
    expect(one[0]).toEqual({ kind: 'status', label: 'Lines registered: 1 of 1' });
    expect(one).toHaveLength(3);
  });
});

describe('the tray status the host keeps (real services and local store)', () => {
  it('carries the availability and each line from the page to the tray, validated', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'blockline-tray-'));
    const published: TrayStatus[] = [];
    const services = offlineElectronServices(dir, {
      native: { onTrayStatus: (status) => published.push(status) },
    });
    try {
      expect(services.trayStatus().availability).toBeUndefined();
      await services.handle('tray:availability', { availability: 'dnd' });
      await services.handle('phone:status', {
        registeredLines: 1,
        totalLines: 2,
        lines: [
          { line: '+12125550100', status: 'registered' },
          { line: '+12125550101', status: 'connecting' },
        ],
      });
      const status = services.trayStatus();
      expect(published.at(-1)).toEqual(status);
      const model = buildTrayMenuModel(status, true, new Date('2026-01-10T12:00:00Z'));
      expect(model).toContainEqual({
        kind: 'choice',
        availability: 'dnd',
        label: 'Do not disturb',
        checked: true,
      });
      expect(model).toContainEqual({ kind: 'status', label: '  +12125550101: connecting…' });
      await expect(services.handle('tray:availability', { availability: 'away' })).rejects.toThrow();
      await expect(
        services.handle('phone:status', {
          registeredLines: 0,
          totalLines: 1,
          lines: [{ line: 'x', status: 'odd' }],
        }),
      ).rejects.toThrow();
      expect(services.trayStatus().availability).toBe('dnd');
    } finally {
      await services.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
