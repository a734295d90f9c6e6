import { useCallback, useEffect, useState } from 'react';
import { Button } from '../ui';
import { errorMessage } from '../../shared/error-message';
import { isHeadset, requestHeadsets, webHid } from '../app/headset-buttons';

/**
 * Settings → Phone → Headset buttons (SPEC §10.9): grants the app a USB headset through WebHID so its
 * hook switch and mute button control calls, and lists the headsets in use. Only where WebHID exists.
 */
export function HeadsetButtons() {
  const hid = webHid();
  const [names, setNames] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useCallback((devices: HIDDevice[]) => {
    setNames(devices.filter(isHeadset).map((device) => device.productName || 'USB headset'));
  }, []);
  useEffect(() => {
    if (hid === null) return;
    const refresh = () => void hid.getDevices().then(list, () => undefined);
    refresh();
    hid.addEventListener('connect', refresh);
    hid.addEventListener('disconnect', refresh);
    return () => {
      hid.removeEventListener('connect', refresh);
      hid.removeEventListener('disconnect', refresh);
    };
  }, [hid, list]);
  if (hid === null) return null;
  const choose = async () => {
    setNotice(null);
    try {
      const headsets = await requestHeadsets(hid);
      list(headsets);
      if (headsets.length === 0) setNotice('No headset was chosen.');
    } catch (caught) {
      setNotice(`The headset could not be used: ${errorMessage(caught)}`);
    }
  };
  return (
    <fieldset className="bl-fieldset">
      <legend>Headset buttons</legend>
      <p className="bl-field__hint">
        Answer, hang up and mute with your USB headset&apos;s own buttons (hook switch and mute).
      </p>
      {/* Not a .bl-field: that stretches its button across the panel. */}
      <div>
        <Button onClick={() => void choose()}>Use headset buttons…</Button>
      </div>
      {names.length > 0 ? (
        <ul className="bl-accounts" aria-label="Headsets in use">
          {names.map((name, index) => (
            <li key={`${name}-${index}`}>{name}</li>
          ))}
        </ul>
      ) : (
        <p className="bl-muted">No headset in use.</p>
      )}
      <span className="bl-field__hint" role="status">
        {notice ?? ''}
      </span>
    </fieldset>
  );
}
