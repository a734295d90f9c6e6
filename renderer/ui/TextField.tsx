import { forwardRef, useId, type InputHTMLAttributes, type ReactNode } from 'react';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: ReactNode;
  /** Help shown under the field. */
  hint?: ReactNode;
  /** An error in the server's (or validator's) words; marks the field invalid. */
  error?: string | null;
  /** A live counter such as "12 / 200", announced politely. */
  counter?: ReactNode;
  /** Hide the visible label (it stays for screen readers). */
  hideLabel?: boolean;
}

export const TextField = forwardRef<HTMLInputElement, TextFieldProps>(function TextField(
  { label, hint, error, counter, hideLabel, className, ...rest },
  ref,
) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const counterId = `${id}-counter`;
  const describedBy = [hint ? hintId : '', error ? errorId : '', counter !== undefined ? counterId : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={['bl-field', className ?? ''].filter(Boolean).join(' ')}>
      <label htmlFor={id} className={hideLabel ? 'bl-visually-hidden' : 'bl-field__label'}>
        {label}
      </label>
      <input
        ref={ref}
        id={id}
        className="bl-input"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...rest}
      />
      {counter !== undefined && (
        <span id={counterId} className="bl-field__counter" aria-live="polite">
          {counter}
        </span>
      )}
      {hint && (
        <span id={hintId} className="bl-field__hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorId} className="bl-field__error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
});
