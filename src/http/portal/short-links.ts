import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { SHORT_CODE, type LinkPurpose, type LinkSigner } from '../../domain/links.js'
import { uiLanguage } from '../../domain/locale.js'
import { z } from 'zod'
import { documented } from '../route-doc.js'
import { findCustomer, upsertCustomer } from '../../store/repos/customers.js'
import type { Database, ShortLinkRow } from '../../store/schema.js'
import { findShortLink } from '../../store/repos/short-links.js'
import { acceptFormBodies, formOf } from './form-body.js'
import { PAGE_COPY, pageLanguage } from './page-copy.js'
import { messagePage, unsubscribedPage } from './pages.js'
import { RateLimiter } from './rate-limit.js'
import { PORTAL_HEADERS } from './routes.js'

const CODE = { code: 'The 16-character code' }
const oneClick = z.object({ 'List-Unsubscribe': z.literal('One-Click') })

export interface ShortLinkDeps {
  readonly db: Kysely<Database>
  readonly links: LinkSigner
  readonly now: () => number
  readonly businessName?: string
  /** Lookups of unknown or expired codes one client IP may make at once, and per second after (defaults 20, 0.2). */
  readonly misses?: { readonly capacity: number; readonly perSecond: number }
}

/**
 * `/l/<code>`: the short links in emails and SMS. A known, unexpired code answers 303 to its signed
 * portal page (the page checks the run, the customer and the purpose as for any portal link);
 * unknown codes get 404, expired ones 410. Codes are 16 base62 characters (about 95 bits), and each
 * client IP may miss only `misses.capacity` times before waiting (5 s per miss by default): guessing
 * a code is hopeless. Misses are what is counted, so customers opening their own links are never
 * slowed down. A one-click unsubscribe POST (RFC 8058, which forbids answering it with a redirect)
 * is handled here directly.
 */
export function shortLinkRoutes(app: FastifyInstance, deps: ShortLinkDeps): void {
  const business = deps.businessName ?? 'Billing'
  const misses = new RateLimiter(deps.misses ?? { capacity: 20, perSecond: 0.2 })

  void app.register(async (scope) => {
    acceptFormBodies(scope, { multipart: true })
    scope.addHook('onSend', async (_req, reply, payload) => {
      reply.headers(PORTAL_HEADERS)
      return payload
    })

    /** An explanation page in the browser's language (nobody is known yet). */
    const explain = (req: FastifyRequest, reply: FastifyReply, status: number, what: 'linkInvalid' | 'linkExpired' | 'tooMany' | 'openLink') => {
      const lang = pageLanguage(undefined, req.headers['accept-language'])
      const t = PAGE_COPY[lang]
      return sendPage(reply, status, messagePage({ business, title: t[`${what}Title`], message: t[what], lang }))
    }

    /** The stored link, or an explanation page already sent (and undefined). */
    const lookup = async (req: FastifyRequest, reply: FastifyReply): Promise<ShortLinkRow | undefined> => {
      const now = deps.now()
      const wait = misses.wait(req.ip, now)
      if (wait > 0) {
        reply.header('retry-after', String(wait))
        explain(req, reply, 429, 'tooMany')
        return undefined
      }
      const code = (req.params as { code: string }).code
      const row = SHORT_CODE.test(code) ? await findShortLink(deps.db, code) : undefined
      if (!row) {
        misses.spend(req.ip, now)
        explain(req, reply, 404, 'linkInvalid')
        return undefined
      }
      if (Date.parse(row.expires_at) < now) {
        misses.spend(req.ip, now)
        explain(req, reply, 410, 'linkExpired')
        return undefined
      }
      return row
    }

    scope.get('/l/:code', documented({ summary: 'A short link: 303 to its signed portal page (404 unknown, 410 expired, 429 too many misses)', auth: 'link-token', ok: 303, produces: 'none', params: CODE }), async (req, reply) => {
      const row = await lookup(req, reply)
      if (!row) return reply
      const claims = { p: row.purpose as LinkPurpose, run: row.run_id, cus: row.customer_id, exp: Date.parse(row.expires_at) }
      return reply.code(303).header('location', deps.links.path(claims)).send()
    })

    scope.post('/l/:code', documented({ summary: 'RFC 8058 one-click unsubscribe through an unsubscribe short link', auth: 'link-token', produces: 'html', params: CODE, body: oneClick, bodyType: 'form' }), async (req, reply) => {
      const row = await lookup(req, reply)
      if (!row) return reply
      // Only the unsubscribe link takes a post, and only the one-click form mail providers send.
      if (row.purpose !== 'unsubscribe' || formOf(req.body).get('List-Unsubscribe') !== 'One-Click') {
        return explain(req, reply, 400, 'openLink')
      }
      const customer = await findCustomer(deps.db, row.customer_id)
      if (!customer) return explain(req, reply, 404, 'linkInvalid')
      if (!customer.email_opt_out) await upsertCustomer(deps.db, row.customer_id, { email_opt_out: true })
      return sendPage(reply, 200, unsubscribedPage({ business, lang: uiLanguage(customer.locale) }))
    })
  })
}

function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page)
}
