import { useId, type ReactNode, type SelectHTMLAttributes } from 'react';

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id' | 'onChange'> {
  label: ReactNode;
  options: readonly SelectOption[];
  value: string;
  onChange(value: string): void;
  error?: string | null;
  hint?: ReactNode;
  hideLabel?: boolean;
}

export function Select({
  label,
  options,
  value,
  onChange,
  error,
  hint,
  hideLabel,
  className,
  ...rest
}: SelectProps) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={['bl-field', className ?? ''].filter(Boolean).join(' ')}>
      <label htmlFor={id} className={hideLabel ? 'bl-visually-hidden' : 'bl-field__label'}>
        {label}
      </label>
      <select
        id={id}
        className="bl-input bl-select"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...rest}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint && (
        <span id={`${id}-hint`} className="bl-field__hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="bl-field__error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
