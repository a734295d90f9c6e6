import type { ErrorCode } from '../shared/contracts/api';

/** An error that becomes the `{"error":{"code","message","details"}}` envelope with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} was not found`);
export const forbidden = (message: string): ApiError => new ApiError(403, 'forbidden', message);
export const unprocessable = (message: string, details?: unknown): ApiError =>
  new ApiError(422, 'unprocessable', message, details);

/** The envelope code for a status when nothing more specific is known. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 410:
      return 'snapshot_required';
    case 413:
      return 'payload_too_large';
    case 422:
      return 'unprocessable';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'internal' : 'bad_request';
  }
}
