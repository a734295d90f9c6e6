import type { WriteError } from '../../shared/contracts/ipc';

/**
 * Which form field a server refusal concerns, from the field names in its details (zod-style issues
 * `[{ path: ['reason'], message }]` or `{ field: 'reason' }`); `fallback` when it names none.
 */
export function fieldOfError<F extends string>(error: WriteError, fields: readonly F[], fallback: F): F {
  const named = new Set<string>();
  const details = error.details;
  const collect = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    const path: unknown = Reflect.get(value, 'path');
    if (Array.isArray(path)) for (const part of path) if (typeof part === 'string') named.add(part);
    const field: unknown = Reflect.get(value, 'field');
    if (typeof field === 'string') named.add(field);
  };
  if (Array.isArray(details)) details.forEach(collect);
  else {
    collect(details);
    if (typeof details === 'object' && details !== null) {
      const issues: unknown = Reflect.get(details, 'issues');
      if (Array.isArray(issues)) issues.forEach(collect);
    }
  }
  return fields.find((field) => named.has(field)) ?? fallback;
}

/** The refusal as people read it: the server's message, plus the code only when there is no message. */
export function errorText(error: WriteError): string {
  return error.message || error.code;
}
