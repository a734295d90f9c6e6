import { useId, type ReactNode } from 'react';

export interface ToggleProps {
  label: ReactNode;
  checked: boolean;
  onChange(checked: boolean): void;
  disabled?: boolean;
  description?: ReactNode;
  error?: string | null;
  busy?: boolean;
}

/** An on/off switch: a button with role `switch`, operable with Space and Enter. */
export function Toggle({ label, checked, onChange, disabled, description, error, busy }: ToggleProps) {
  const id = useId();
  const describedBy = [description ? `${id}-description` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="bl-toggle-row">
      <button
        type="button"
        role="switch"
        id={id}
        aria-checked={checked}
        aria-labelledby={`${id}-label`}
        aria-describedby={describedBy || undefined}
        aria-busy={busy || undefined}
        disabled={disabled}
        className="bl-toggle"
        onClick={() => onChange(!checked)}
      >
        <span className="bl-toggle__thumb" aria-hidden="true" />
      </button>
      <div className="bl-toggle-row__text">
        <span id={`${id}-label`} className="bl-field__label">
          {label}
        </span>
        {description && (
          <span id={`${id}-description`} className="bl-field__hint">
            {description}
          </span>
        )}
        {error && (
          <span id={`${id}-error`} className="bl-field__error" role="alert">
            {error}
          </span>
        )}
      </div>
    </div>
  );
}
