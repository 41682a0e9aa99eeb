import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { PaymentRetryProvider } from '../../providers/stripe/payments.js'
import type { LinkClaims, LinkPurpose, LinkSigner } from '../../domain/links.js'
import { uiLanguage } from '../../domain/locale.js'
import { PermanentError } from '../../domain/errors.js'
import { acceptanceEvents, offerDecisionId } from '../../domain/offers.js'
import type { Ingestor } from '../../ingest/ingest.js'
import { findCustomer, upsertCustomer } from '../../store/repos/customers.js'
import type { Database } from '../../store/schema.js'
import { authenticateScopeBy } from '../auth.js'
import { toProblem } from '../problem.js'
import { documented } from '../route-doc.js'
import { acceptFormBodies, formOf } from './form-body.js'
import {
  messagePage,
  renderOfferPage,
  retryRequestedPage,
  settledPage,
  unsubscribedPage,
  unsubscribePage,
  updatePaymentPage,
} from './pages.js'
import { loadRunView, type RunView } from './run-view.js'
import { offerClosedPage, offerPage } from './offer-pages.js'
import { loadOffer } from './offer-view.js'

export interface PortalDeps {
  db: Kysely<Database>
  links: LinkSigner
  ingestor: Ingestor
  now: () => number
  businessName?: string
  /** The payment provider: when it hosts a card update (Stripe), the update-payment page offers one. */
  payments?: PaymentRetryProvider
  /** Origins besides https ones that may host card pages (a Stripe stand-in on http, from RECOUP_STRIPE_API_BASE). */
  cardPageOrigins?: readonly string[]
}

/** Headers on every portal response: no scripts, no framing, no caching, no token in Referer. */
export const PORTAL_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
}

/** Why a portal request ends on an explanation page instead of the page asked for. */
class PortalPageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message)
    this.name = 'PortalPageError'
  }
}

// The forms the pages post (requireOwnForm checks `action`); for the document only.
const retryForm = z.object({ action: z.enum(['retry', 'update_card']).describe('retry (path ends /retry) or update_card (path ends /update-card)') })
const unsubscribeForm = z.object({
  action: z.literal('unsubscribe').optional(),
  'List-Unsubscribe': z.literal('One-Click').optional().describe('RFC 8058 one-click, sent by mail providers'),
})
const offerForm = z.object({ action: z.enum(['accept', 'decline']), step: z.string().describe('The offer step the page showed') })
const TOKEN = { '*': 'The signed link token from the email or SMS' }
/** A portal page's documentation: HTML, authenticated by the signed token in the path. */
const page = (summary: string, body?: z.ZodType) => documented({ summary, produces: 'html', params: TOKEN, wildcardName: 'token', ...(body ? { body, bodyType: 'form' as const } : {}) })

const invalidLink = () => new PortalPageError(404, 'This link is not valid', 'Please open the newest email or message we sent you, or reply to it and we will help.')
const expiredLink = () => new PortalPageError(410, 'This link has expired', 'For your security our links stop working after a while. Contact us or use the link in our newest email.')

/**
 * Registers the customer portal under /portal: update payment (ask for a retry), unsubscribe,
 * and offers. Pages are HTML in every case, errors included, and carry PORTAL_HEADERS.
 */
export function portalRoutes(app: FastifyInstance, deps: PortalDeps): void {
  const business = deps.businessName ?? 'Billing'
  void app.register(
    async (scope) => {
      authenticateScopeBy(scope, 'link-token')
      acceptFormBodies(scope, { multipart: true })
      scope.addHook('onSend', async (_req, reply, payload) => {
        // A page may widen one header for itself (the card update's form-action); the rest hold.
        for (const [name, value] of Object.entries(PORTAL_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value)
        return payload
      })
      scope.setErrorHandler((err: FastifyError | PortalPageError, req, reply) => {
        if (err instanceof PortalPageError) return sendPage(reply, err.status, messagePage({ business, title: err.title, message: err.message }))
        // Fastify's own 4xx (a body too large, an unknown content type) still get a page, never a stack.
        // The status the API would answer (a refused input is a 4xx, never a 500 page).
        const status = toProblem(err).status
        if (status >= 500) req.log.error({ err }, 'portal page failed')
        const message = status >= 500 ? 'Something went wrong on our side. Please try again in a few minutes.' : 'Please go back and use the button on the page.'
        return sendPage(reply, status, messagePage({ business, title: status >= 500 ? 'Something went wrong' : 'We could not read that request', message }))
      })
      scope.setNotFoundHandler((_req, reply) => {
        const err = invalidLink()
        return sendPage(reply, 404, messagePage({ business, title: err.title, message: err.message }))
      })

      /** The link's claims, or a 404 / 410 page. */
      const open = (token: string, purpose: LinkPurpose): LinkClaims => {
        const verified = deps.links.verify(token, purpose, deps.now())
        if (!verified.ok) throw verified.reason === 'expired' ? expiredLink() : invalidLink()
        return verified.claims
      }
      const runOf = async (claims: LinkClaims): Promise<RunView> => {
        const view = await loadRunView(deps.db, claims.run, claims.cus)
        if (!view) throw new PortalPageError(404, 'We could not find this payment', 'It may have been removed. Please reply to our email and we will help.')
        return view
      }
      /** The token of a `/<page>/*` route; a wildcard because tokens outgrow fastify's 100-character `:param` limit. */
      const tokenOf = (req: FastifyRequest, suffix = ''): string => {
        const rest = (req.params as { '*'?: string })['*'] ?? ''
        if (!rest.endsWith(suffix)) throw invalidLink()
        return rest.slice(0, rest.length - suffix.length)
      }
      const due = (v: RunView) => ({ business, productName: v.productName, kind: v.kind, whatHappened: v.whatHappened, lang: v.lang, ...(v.amountDue ? { amountDue: v.amountDue } : {}) })

      /** Whether the customer can enter a new card on the processor's page for this run. */
      const cardUpdateFor = (view: RunView) => (view.kind === 'payment' && deps.payments?.cardUpdateUrl ? deps.payments : undefined)

      scope.get('/update-payment/*', page('The update-payment page: retry the payment, or update the card on the processor\'s page'), async (req, reply) => {
        const token = tokenOf(req)
        const view = await runOf(open(token, 'update_payment'))
        if (view.settled) return sendPage(reply, 200, settledPage({ business, productName: view.productName, lang: view.lang }))
        const base = `/portal/update-payment/${encodeURIComponent(token)}`
        if (!cardUpdateFor(view)) return sendPage(reply, 200, updatePaymentPage({ ...due(view), retryAction: `${base}/retry` }))
        // The "Update card" form is answered with a redirect to the processor's page, which the
        // browser checks against this page's form-action: Stripe's hosts (or a business's own
        // domain for them) are https, so https is allowed here and nowhere else.
        reply.header('content-security-policy', PORTAL_HEADERS['content-security-policy'].replace("form-action 'self'", `form-action ${["'self'", 'https:', ...(deps.cardPageOrigins ?? [])].join(' ')}`))
        return sendPage(reply, 200, updatePaymentPage({ ...due(view), retryAction: `${base}/retry`, updateCardAction: `${base}/update-card` }))
      })

      scope.post('/update-payment/*', page('{token}/retry asks for a payment retry; {token}/update-card answers 303 to the processor\'s card page', retryForm), async (req, reply) => {
        const rest = (req.params as { '*'?: string })['*'] ?? ''
        if (rest.endsWith('/update-card')) return updateCard(req, reply)
        const claims = open(tokenOf(req, '/retry'), 'update_payment')
        requireOwnForm(req, 'retry')
        const view = await runOf(claims)
        if (view.settled) return sendPage(reply, 200, settledPage({ business, productName: view.productName, lang: view.lang }))
        const result = await deps.ingestor.accept({
          id: retryEventId(view.run.id, deps.now()),
          type: 'payment.retry_requested',
          customer: { id: claims.cus },
          product_ids: view.productIds,
          ...(view.run.subscription_id ? { subscription_id: view.run.subscription_id } : {}),
          ...(view.run.plan_id ? { installment_plan_id: view.run.plan_id } : {}),
          metadata: { source: 'portal', run_id: view.run.id },
        })
        // A direct page rather than a redirect: a reload re-posts the same event id, which is harmless.
        return sendPage(reply, 200, retryRequestedPage({ ...due(view), already: result.duplicate }))
      })

      /** "Update card": a session on the processor's hosted page, returning here, then a 303 to it. */
      async function updateCard(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
        const claims = open(tokenOf(req, '/update-card'), 'update_payment')
        requireOwnForm(req, 'update_card')
        const view = await runOf(claims)
        if (view.settled) return sendPage(reply, 200, settledPage({ business, productName: view.productName, lang: view.lang }))
        const payments = cardUpdateFor(view)
        if (!payments?.cardUpdateUrl) throw new PortalPageError(400, 'Please use the button on the page', 'Open the link from our email again and press the button there.')
        const currency = (JSON.parse(view.run.context) as { payment?: { currency?: unknown } }).payment?.currency
        let url: string
        try {
          url = await payments.cardUpdateUrl({
            customerId: claims.cus,
            returnUrl: deps.links.url(claims),
            idempotencyKey: cardSessionKey(view.run.id, deps.now()),
            ...(typeof currency === 'string' ? { currency } : {}),
          })
          if (!/^https?:\/\//i.test(url)) throw new PermanentError(`the card page is not a web address: ${url.slice(0, 100)}`)
        } catch (err) {
          req.log.warn({ err: (err as Error).message, runId: view.run.id }, 'opening the hosted card update failed')
          const later = !(err instanceof PermanentError)
          throw new PortalPageError(
            later ? 503 : 502,
            'We could not open the card page',
            later
              ? 'Our payment provider did not answer. Please try again in a few minutes.'
              : 'Please reply to our email and we will help you update your card.',
          )
        }
        return reply.redirect(url, 303)
      }

      scope.get('/unsubscribe/*', page('The unsubscribe page'), async (req, reply) => {
        const token = tokenOf(req)
        const claims = open(token, 'unsubscribe')
        const customer = await findCustomer(deps.db, claims.cus)
        if (!customer) throw invalidLink()
        const action = `/portal/unsubscribe/${encodeURIComponent(token)}`
        const email = customer.email ? maskEmail(customer.email) : undefined
        return sendPage(reply, 200, unsubscribePage({ business, action, already: customer.email_opt_out, lang: uiLanguage(customer.locale), ...(email ? { email } : {}) }))
      })

      scope.post('/unsubscribe/*', page('Unsubscribe from emails (the page\'s form, or RFC 8058 one-click)', unsubscribeForm), async (req, reply) => {
        const claims = open(tokenOf(req), 'unsubscribe')
        // RFC 8058 one-click: the mail provider posts `List-Unsubscribe=One-Click` from its own
        // servers, so there is no browser context to check; the signed token is the authority.
        if (formOf(req.body).get('List-Unsubscribe') !== 'One-Click') requireOwnForm(req, 'unsubscribe')
        const customer = await findCustomer(deps.db, claims.cus)
        if (!customer) throw invalidLink()
        if (!customer.email_opt_out) await upsertCustomer(deps.db, claims.cus, { email_opt_out: true })
        const email = customer.email ? maskEmail(customer.email) : undefined
        return sendPage(reply, 200, unsubscribedPage({ business, lang: uiLanguage(customer.locale), ...(email ? { email } : {}) }))
      })

      scope.get('/offer/*', page('The offer page: accept or decline the run\'s offer'), async (req, reply) => {
        const token = tokenOf(req)
        const view = await runOf(open(token, 'offer'))
        const offer = await loadOffer(deps.db, view.run, deps.now())
        if (!offer) return sendPage(reply, 200, renderOfferPage({ business, productName: view.productName, lang: view.lang }))
        const page = { business, productName: view.productName, state: offer.state, lang: view.lang }
        if (offer.status !== 'open') return sendPage(reply, 200, offerClosedPage({ ...page, status: offer.status }))
        const base = `/portal/offer/${encodeURIComponent(token)}`
        return sendPage(reply, 200, offerPage({ ...page, stepId: offer.stepId, acceptAction: `${base}/accept`, declineAction: `${base}/decline` }))
      })

      scope.post('/offer/*', page('{token}/accept or {token}/decline answers the offer', offerForm), async (req, reply) => {
        const rest = (req.params as { '*'?: string })['*'] ?? ''
        const decision = rest.endsWith('/accept') ? 'accept' : rest.endsWith('/decline') ? 'decline' : undefined
        if (!decision) throw invalidLink()
        const claims = open(tokenOf(req, `/${decision}`), 'offer')
        requireOwnForm(req, decision)
        const view = await runOf(claims)
        const offer = await loadOffer(deps.db, view.run, deps.now())
        if (!offer) return sendPage(reply, 200, renderOfferPage({ business, productName: view.productName, lang: view.lang }))
        const page = { business, productName: view.productName, state: offer.state, lang: view.lang }
        // The form names the offer it showed: a stale page must not answer a later offer.
        if (formOf(req.body).get('step') !== offer.stepId) return sendPage(reply, 200, offerClosedPage({ ...page, status: 'withdrawn' }))
        if (offer.status !== 'open') return sendPage(reply, 200, offerClosedPage({ ...page, status: offer.status }))
        const who = { runId: view.run.id, stepId: offer.stepId, customerId: claims.cus, productIds: view.productIds }
        if (decision === 'accept') {
          // One transaction: the records change and the run ends as goal met, or neither happens.
          await deps.ingestor.acceptTogether(acceptanceEvents({ ...who, offer: offer.state.offer }))
          return sendPage(reply, 200, offerClosedPage({ ...page, status: 'accepted' }))
        }
        await deps.ingestor.accept({
          id: offerDecisionId('declined', who.runId, who.stepId),
          type: 'offer.declined',
          customer: { id: who.customerId },
          product_ids: who.productIds,
          run_id: who.runId,
          step_id: who.stepId,
          metadata: { source: 'portal', run_id: who.runId, step_id: who.stepId },
        })
        return sendPage(reply, 200, offerClosedPage({ ...page, status: 'declined' }))
      })
    },
    { prefix: '/portal' },
  )
}

/**
 * CSRF: the signed token in the URL is the capability, and a cross-site attacker cannot know it.
 * On top of that a post must look like our own form: `application/x-www-form-urlencoded` (what
 * the form sends; JSON or text posts from scripts are refused), carrying the form's hidden
 * `action` field (so link scanners that POST empty bodies do nothing), and not marked
 * cross-site by the browser.
 */
function requireOwnForm(req: FastifyRequest, action: string): void {
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    throw new PortalPageError(403, 'Please use the button on the page', 'For your security we only accept this request from our own page.')
  }
  const isForm = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
  if (!isForm || formOf(req.body).get('action') !== action) {
    throw new PortalPageError(400, 'Please use the button on the page', 'Open the link from our email again and press the button there.')
  }
}

/**
 * One retry request per run per UTC day: a double-click or a reload is the same event, while
 * asking again tomorrow (after another failure) is a new one the workflow can react to.
 */
export function retryEventId(runId: string, now: number): string {
  return `portal_retry_${runId}_${new Date(now).toISOString().slice(0, 10)}`
}

/**
 * The idempotency key of a run's hosted card session: one per run per ten minutes (UTC). A double
 * click opens one session; Stripe's portal sessions expire soon when unvisited, so a customer who
 * comes back later the same day must get a new one, not the replay of an expired one.
 */
export function cardSessionKey(runId: string, now: number): string {
  return `${runId}:card-session:${new Date(now).toISOString().slice(0, 15)}`
}

/** `ada@example.com` → `a••@example.com`: enough to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  if (at < 1) return '•••'
  return `${email[0]}${'•'.repeat(Math.min(6, Math.max(2, at - 1)))}${email.slice(at)}`
}

function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page)
}
