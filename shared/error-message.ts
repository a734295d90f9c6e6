/**
 * The one way to turn anything thrown into text. Never throws itself: a thrown object's getter or
 * `toString` may, and the paths that report errors (the call decision among them) must not fail twice.
 */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unknown error';
  }
}

/** Like {@link errorMessage}, with the stack where there is one: for logs, not for people. */
export function errorDetail(error: unknown): string {
  try {
    return error instanceof Error ? (error.stack ?? error.message) : String(error);
  } catch {
    return 'unknown error';
  }
}
