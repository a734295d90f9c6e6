import { useState } from 'react';
import { WEEKDAYS, type Weekday, type WorkingDay } from '../../shared/settings';
import { TextField } from '../ui';

const DAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/** Settings → Policies: the working hours auto-block looks at (SPEC §4.1, §7.2), one weekday per row. */
export function WorkingHoursEditor({
  hours,
  disabled,
  error,
  onChange,
}: {
  hours: Record<Weekday, WorkingDay>;
  disabled: boolean;
  error: string | null;
  onChange(hours: Record<Weekday, WorkingDay>): void;
}) {
  // Edits build on the last hours sent, not only on those the server has confirmed: a start time and
  // then an end time changed in quick succession must both be kept.
  const [sent, setSent] = useState(hours);
  const [confirmed, setConfirmed] = useState(hours);
  if (confirmed !== hours) {
    setConfirmed(hours);
    setSent(hours);
  }
  const setDay = (day: Weekday, change: (previous: WorkingDay) => WorkingDay) => {
    const next = { ...sent, [day]: change(sent[day]) };
    setSent(next);
    onChange(next);
  };
  return (
    <fieldset className="bl-fieldset bl-hours">
      <legend>Working hours</legend>
      {WEEKDAYS.map((day) => {
        const current = hours[day];
        return (
          <div key={day} className="bl-hours__day">
            <label className="bl-checkbox">
              <input
                type="checkbox"
                checked={current !== null}
                disabled={disabled}
                onChange={(event) =>
                  setDay(day, () => (event.target.checked ? { start: '09:00', end: '17:00' } : null))
                }
              />
              {DAY_NAMES[day]}
            </label>
            {current !== null && (
              <>
                <TimeInput
                  label={`${DAY_NAMES[day]} start`}
                  value={current.start}
                  disabled={disabled}
                  onCommit={(start) => setDay(day, (previous) => ({ end: current.end, ...previous, start }))}
                />
                <TimeInput
                  label={`${DAY_NAMES[day]} end`}
                  value={current.end}
                  disabled={disabled}
                  onCommit={(end) => setDay(day, (previous) => ({ start: current.start, ...previous, end }))}
                />
              </>
            )}
          </div>
        );
      })}
      {error && (
        <p className="bl-field__error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function TimeInput({
  label,
  value,
  disabled,
  onCommit,
}: {
  label: string;
  value: string;
  disabled: boolean;
  onCommit(value: string): void;
}) {
  const [draft, setDraft] = useState(value);
  const [shownValue, setShownValue] = useState(value);
  if (shownValue !== value) {
    setShownValue(value);
    setDraft(value);
  }
  return (
    <TextField
      label={label}
      hideLabel
      type="time"
      value={draft}
      disabled={disabled}
      onChange={(event) => setDraft(event.target.value)}
      onBlur={() => draft !== value && /^\d{2}:\d{2}$/.test(draft) && onCommit(draft)}
    />
  );
}
