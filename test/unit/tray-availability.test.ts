import { describe, expect, it } from 'vitest';
import { linkTrayAvailability } from '../../renderer/app/tray-availability';
import { createPhoneStore } from '../../renderer/stores/phone';
import { createFakeApi } from './store-helpers';

describe('the tray availability link (SPEC §10.4)', () => {
  it('tells the host the availability at start and on every change, once per change', async () => {
    const api = createFakeApi();
    api.handle('tray:availability', () => ({ ok: true }));
    const phone = createPhoneStore(null);
    const stop = linkTrayAvailability(api, phone);
    phone.getState().setPresence({ availability: 'dnd' });
    phone.getState().setPresence({ autoAnswer: true });
    phone.getState().setPresence({ availability: 'available' });
    expect(api.calls.map((call) => call.request)).toEqual([
      { availability: 'available' },
      { availability: 'dnd' },
      { availability: 'available' },
    ]);
    stop();
    phone.getState().setPresence({ availability: 'dnd' });
    expect(api.calls).toHaveLength(3);
  });

  it('applies a choice made in the tray to the phone store, and stops listening when ended', () => {
    const api = createFakeApi();
    api.handle('tray:availability', () => ({ ok: true }));
    const phone = createPhoneStore(null);
    const stop = linkTrayAvailability(api, phone);
    api.emit('tray:setAvailability', { availability: 'dnd' });
    expect(phone.getState().presence.availability).toBe('dnd');
    expect(api.calls.at(-1)?.request).toEqual({ availability: 'dnd' });
    stop();
    expect(api.listenerCount('tray:setAvailability')).toBe(0);
  });
});
