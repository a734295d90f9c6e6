/** The host's reconnects use the one backoff rule in shared/ (the phone's lines use it too). */
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../shared/backoff';
