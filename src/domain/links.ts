import { createHmac, timingSafeEqual } from 'node:crypto'

export type LinkPurpose = 'update_payment' | 'offer' | 'unsubscribe'

export interface LinkClaims {
  /** What the link is for; a link for one purpose never opens another page. */
  readonly p: LinkPurpose
  readonly run: string
  readonly cus: string
  /** Expiry, ms since epoch. */
  readonly exp: number
}

/** Characters of a short link's code: `/l/<16 of these>`. */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
/** Length of a short link's code: about 95 bits, far beyond guessing at any lookup rate. */
export const SHORT_CODE_LENGTH = 16
/** A well-formed short link code. */
export const SHORT_CODE = /^[0-9A-Za-z]{16}$/

const TOKEN = /^([A-Za-z0-9_-]{1,4096})\.([A-Za-z0-9_-]{43})$/

function isClaims(c: unknown): c is LinkClaims {
  const o = c as Record<string, unknown> | null
  return !!o && typeof o === 'object' && typeof o.p === 'string' && typeof o.run === 'string' && typeof o.cus === 'string' && typeof o.exp === 'number'
}

/** Signs portal links so a customer can act without an account, and nobody can forge one. */
export class LinkSigner {
  readonly #secret: string
  readonly #baseUrl: string

  constructor(options: { secret: string; publicUrl: string }) {
    this.#secret = options.secret
    this.#baseUrl = options.publicUrl.replace(/\/+$/, '')
  }

  /** A signed token for the claims. */
  token(claims: LinkClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url')
    return `${body}.${this.#mac(body)}`
  }

  /** A full portal URL for the claims. */
  url(claims: LinkClaims): string {
    return `${this.#baseUrl}${this.path(claims)}`
  }

  /** The portal page of the claims, as a path (`/portal/update-payment/<token>`). */
  path(claims: LinkClaims): string {
    return `/portal/${claims.p.replace('_', '-')}/${this.token(claims)}`
  }

  /**
   * The short code of a run's link for one purpose: 16 base62 characters of an HMAC under the link
   * secret. The same run and purpose always give the same code, so a step that runs again (a
   * retried send) names the same stored link instead of minting another, and nobody without the
   * secret can predict one.
   */
  shortCode(purpose: LinkPurpose, runId: string): string {
    const digest = createHmac('sha256', this.#secret).update(`short-link\n${purpose}\n${runId}`).digest()
    let n = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`)
    let code = ''
    for (let i = 0; i < SHORT_CODE_LENGTH; i++) {
      code += BASE62[Number(n % 62n)]
      n /= 62n
    }
    return code
  }

  /** `<public url>/l/<code>`: what a message carries. */
  shortUrl(code: string): string {
    return `${this.#baseUrl}/l/${code}`
  }

  /** The claims of a valid token, or a reason it is not valid. */
  verify(token: string, purpose: LinkPurpose, now: number): { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' | 'expired' } {
    // Exactly `<base64url body>.<43-character base64url HMAC>`: nothing before, between or after.
    const parts = TOKEN.exec(token)
    if (!parts) return { ok: false, reason: 'invalid' }
    const [, body, mac] = parts as unknown as [string, string, string]
    const expected = Buffer.from(this.#mac(body))
    const given = Buffer.from(mac)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' }
    let claims: LinkClaims
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims
    } catch {
      return { ok: false, reason: 'invalid' }
    }
    if (!isClaims(claims) || claims.p !== purpose) return { ok: false, reason: 'invalid' }
    if (claims.exp < now) return { ok: false, reason: 'expired' }
    return { ok: true, claims }
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('base64url')
  }
}
