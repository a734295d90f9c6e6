import { usePhone, useStores } from '../app/stores';
import { Select } from '../ui';

/** Available / Do not disturb in the header (SPEC §10.4); the phone reads it at each incoming call. */
export function AvailabilitySelect() {
  const { phone } = useStores();
  const availability = usePhone((state) => state.presence.availability);
  return (
    <Select
      className={`bl-availability bl-availability--${availability}`}
      label="Availability"
      hideLabel
      value={availability}
      options={[
        { value: 'available', label: 'Available' },
        { value: 'dnd', label: 'Do not disturb' },
      ]}
      onChange={(value) =>
        phone.getState().setPresence({ availability: value === 'dnd' ? 'dnd' : 'available' })
      }
    />
  );
}
