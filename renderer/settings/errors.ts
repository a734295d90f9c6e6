import type { WriteError } from '../../shared/contracts/ipc';

/** Which form field a server refusal concerns, by the first field its issues name; `fallback` when none. */
export function fieldOfError<F extends string>(error: WriteError, fields: readonly F[], fallback: F): F {
  for (const issue of error.details?.issues ?? []) {
    const field = fields.find((known) => known === issue.path[0]);
    if (field !== undefined) return field;
  }
  return fallback;
}

/** The refusal as people read it: the server's message, plus the code only when there is no message. */
export function errorText(error: WriteError): string {
  return error.message || error.code;
}
