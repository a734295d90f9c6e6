import { describe, expect, it } from 'vitest';
import { holdPackagedServices, type HostSystem } from '../../scripts/setup-lib.mjs';

/** A systemd desktop as the start script sees it: stood in for, since these build machines run no systemd. */
function desktop(options: { systemd?: boolean; ownPolicy?: boolean; startedAnyway?: string[] } = {}) {
  const commands: string[] = [];
  const system: HostSystem = {
    systemdRunning: () => options.systemd ?? true,
    policyExists: () => options.ownPolicy ?? false,
    asRoot: (command, args) => {
      commands.push([command, ...args].join(' '));
      return { status: 0 };
    },
    unitIs: (_state, unit) => (options.startedAnyway ?? []).includes(unit),
  };
  return { system, commands };
}

describe('npm start on a desktop with systemd (systemd simulated: not on this machine)', () => {
  it('refuses service starts while Kamailio and rtpengine are installed, then takes the refusal away', () => {
    const { system, commands } = desktop();
    const release = holdPackagedServices(['kamailio', 'rtpengine-daemon', 'sox'], system);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/exit 101.*> \/usr\/sbin\/policy-rc\.d/);
    release();
    expect(commands[1]).toBe('rm -f /usr/sbin/policy-rc.d');
    expect(commands).toHaveLength(2);
  });

  it('stops and disables a packaged service that started or was enabled anyway', () => {
    const { system, commands } = desktop({ startedAnyway: ['rtpengine-daemon.service'] });
    holdPackagedServices(['kamailio', 'rtpengine-daemon'], system)();
    expect(commands).toContain('systemctl disable --now --quiet rtpengine-daemon.service');
    expect(commands.some((command) => command.includes('kamailio.service'))).toBe(false);
  });

  it("leaves the machine's own policy-rc.d alone, and does nothing without systemd or without such packages", () => {
    const own = desktop({ ownPolicy: true });
    holdPackagedServices(['kamailio'], own.system)();
    expect(own.commands).toEqual([]);
    const noSystemd = desktop({ systemd: false });
    holdPackagedServices(['kamailio'], noSystemd.system)();
    expect(noSystemd.commands).toEqual([]);
    const other = desktop();
    holdPackagedServices(['sox', 'baresip'], other.system)();
    expect(other.commands).toEqual([]);
  });
});
