import type { Kysely } from 'kysely'
import type { LinkPurpose, LinkSigner } from '../domain/links.js'
import type { Database } from '../store/schema.js'
import { saveShortLinks, type ShortLink } from '../store/repos/short-links.js'

// `links.*` in a message are short links (`<public url>/l/<code>`). Rendering is synchronous
// (Liquid), so a link is minted without the database: its code is derived from the run and the
// purpose (LinkSigner.shortCode), and the row behind it is written by `saveCustomerLinks` before
// the message leaves (see deliver). Writing it then, in its own statement rather than in the
// step's transaction, means the link works before the customer can have it; and because the code
// is derived, a step that runs again (after a crash, or a retried send) names the same row.

const LINKS: readonly (readonly [name: string, purpose: LinkPurpose])[] = [
  ['update_payment', 'update_payment'],
  ['offer', 'offer'],
  ['unsubscribe', 'unsubscribe'],
]

/** Where a links object keeps the links it minted (a symbol: invisible to templates and JSON). */
const MINTED = Symbol('minted customer links')

interface Minted {
  readonly links: ShortLink[]
}

/**
 * The `links` of a run's template data: each a short link, minted on first read (most steps use
 * none), valid until `expiresAt` (ms).
 */
export function customerLinks(options: { signer: LinkSigner; runId: string; customerId: string; expiresAt: number }): Record<string, string> {
  const { signer, runId, customerId, expiresAt } = options
  const minted: Minted = { links: [] }
  const links = {}
  Object.defineProperty(links, MINTED, { value: minted, enumerable: false })
  for (const [name, purpose] of LINKS) {
    let value: string | undefined
    Object.defineProperty(links, name, {
      enumerable: true,
      get: () => {
        if (value === undefined) {
          const code = signer.shortCode(purpose, runId)
          minted.links.push({ code, purpose, run_id: runId, customer_id: customerId, expires_at: new Date(expiresAt).toISOString() })
          value = signer.shortUrl(code)
        }
        return value
      },
    })
  }
  return links as Record<string, string>
}

/**
 * Stores the short links the template data minted so far (none: nothing to do). Called before a
 * message carrying them is handed to a channel; idempotent, and safe to call again.
 */
export async function saveCustomerLinks(db: Kysely<Database>, data: Readonly<Record<string, unknown>>, now: number): Promise<void> {
  const minted = (data.links as { [MINTED]?: Minted } | undefined)?.[MINTED]
  if (!minted || minted.links.length === 0) return
  await saveShortLinks(db, minted.links, new Date(now).toISOString())
}

/** Links for previews: no run behind them, but as long as real ones (`<public url>/l/<16 characters>`). */
export function previewLinks(publicUrl: string): Record<string, string> {
  const base = `${publicUrl.replace(/\/+$/, '')}/l/`
  return { update_payment: `${base}PreviewUpdCard00`, offer: `${base}PreviewOffer0000`, unsubscribe: `${base}PreviewUnsub0000` }
}
