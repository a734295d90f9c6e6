import { useCompanion, useStores } from '../app/stores';
import { Select } from '../ui';

/** SPEC §10.11: when this agent wants the org's CRM page for a call (on this machine). */
export function ScreenPopMomentSelect() {
  const { companion } = useStores();
  const moment = useCompanion((state) => state.screenPopOn);
  const hostOpens = useCompanion((state) => state.hostOpens);
  return (
    <Select
      label="Open the CRM page"
      value={moment}
      options={[
        { value: 'ring', label: 'When a call rings' },
        { value: 'answer', label: 'When I answer' },
      ]}
      hint={
        hostOpens === false
          ? 'In the browser the page opens when you click Answer (a browser tab cannot open by itself).'
          : 'Only when your org has set a screen-pop URL; never for blocked calls.'
      }
      onChange={(value) => companion.getState().setScreenPopOn(value === 'answer' ? 'answer' : 'ring')}
    />
  );
}
