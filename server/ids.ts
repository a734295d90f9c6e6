import { createHash, randomBytes } from 'node:crypto';

/** A short random id (64 bits, base64url): compact in snapshots of 100,000 rules, unique in practice. */
export function newId(): string {
  return randomBytes(8).toString('base64url');
}

/** A personal bearer token: 256 random bits with a recognizable prefix. */
export function newToken(): string {
  return `bl_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
