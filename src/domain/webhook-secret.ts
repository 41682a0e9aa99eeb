// Standard Webhooks signing secrets (`whsec_` + base64 of 24 to 64 random bytes) and how the API shows them.

const PREFIX = 'whsec_'
const MIN_BYTES = 24
const MAX_BYTES = 64

/** The message for a secret that `isWebhookSecret` refuses. */
export const WEBHOOK_SECRET_RULE = `must be "${PREFIX}" followed by the base64 of ${MIN_BYTES} to ${MAX_BYTES} random bytes`

/** Whether `secret` is `whsec_` followed by base64 that decodes to 24–64 bytes. */
export function isWebhookSecret(secret: string): boolean {
  if (!secret.startsWith(PREFIX)) return false
  const encoded = secret.slice(PREFIX.length)
  // Strict: Buffer.from(…, 'base64') skips characters it does not know, which would sign with another key.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) return false
  if (encoded.includes('=') && encoded.length % 4 !== 0) return false
  const bytes = Buffer.from(encoded, 'base64').length
  return bytes >= MIN_BYTES && bytes <= MAX_BYTES
}

const MASK = `${PREFIX}********`
const MASKED = /^whsec_\*{8}[A-Za-z0-9+/=]{0,4}$/

/** How the API shows a stored secret: the prefix, stars and the last four characters (to tell secrets apart). */
export function maskWebhookSecret(secret: string): string {
  return secret.length >= PREFIX.length + 16 ? `${MASK}${secret.slice(-4)}` : MASK
}

/** Whether `value` is what `maskWebhookSecret` returns, i.e. a secret sent back unchanged. */
export function isMaskedWebhookSecret(value: string): boolean {
  return MASKED.test(value)
}
