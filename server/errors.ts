import type { ErrorCode, ErrorDetails, ErrorEnvelope } from '../shared/contracts/api';

/** An error that becomes the `{"error":{"code","message","details"}}` envelope with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function envelope(code: ErrorCode, message: string, details?: ErrorDetails): ErrorEnvelope {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} was not found`);
export const forbidden = (message: string): ApiError => new ApiError(403, 'forbidden', message);
export const unprocessable = (message: string, details?: ErrorDetails): ApiError =>
  new ApiError(422, 'unprocessable', message, details);

export { errorCodeForStatus as codeForStatus } from '../shared/contracts/api';
