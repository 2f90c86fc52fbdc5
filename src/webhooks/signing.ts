import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the shared secret itself, as Mixpeek recommends for its webhooks. */
export const SECRET_HEADER = 'x-mixpeek-secret';
/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>`. */
export const SIGNATURE_HEADER = 'x-mixpeek-signature';

/** The signature header's value for a raw body: `sha256=` + hex HMAC-SHA256. Pure. */
export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Whether `header` is the signature of `body` under `secret` (constant-time comparison). */
export function verifySignature(
  secret: string,
  body: string | Uint8Array,
  header: string | undefined,
): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
