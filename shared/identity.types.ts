/** Caller verification as carriers pass it on (SPEC §3.3a). */
export type Verstat = 'TN-Validation-Passed' | 'TN-Validation-Failed' | 'No-TN-Validation';
export type Attestation = 'A' | 'B' | 'C';

export interface CallerVerification {
  verstat: Verstat | null;
  /** From an `Identity` header's PASSporT (decoded, signature not verified). */
  attestation: Attestation | null;
}

/**
 * Who is calling, as far as the request tells (SPEC §3.2–3.3).
 * - `number`: an E.164 caller; `withheld` when the caller asked for privacy (anonymous From or
 *   `Privacy: id`) but the network still asserted the number.
 * - `anonymous`: the identity is withheld and no number is asserted.
 * - `unknown`: a user part that is not a phone number (`sip:alice@host`), or a request too broken to read.
 */
export type CallerIdentity =
  | { kind: 'number'; e164: string; withheld: boolean; verification: CallerVerification | null }
  | { kind: 'anonymous'; verification: CallerVerification | null }
  | { kind: 'unknown'; raw: string | null; problem?: string; verification: CallerVerification | null };
