/**
 * A local HTTP stand-in for Stripe's API, for tests that drive the official `stripe` SDK. It
 * answers in Stripe's shapes (stripe-objects.ts, rendered in the API version of each request's
 * `Stripe-Version` header), with Stripe's errors, Stripe's form encoding and Stripe's idempotency
 * rules, and sends the webhook Events Stripe would send, signed, to a local receiver.
 *
 *   const stripe = await startStripeStandIn({ webhookUrl, webhookSecret })
 *   stripe.state.addCustomer({ id: 'cus_1' }) …
 *   await stripe.stripe.invoices.pay('in_1', {}, { idempotencyKey: 'k' })
 *   await stripe.close()
 *
 * Routes (each mimics the Stripe API object named):
 *   GET  /v1/customers/:id                     Customer
 *   POST /v1/customers/:id                     Customer (update)
 *   GET  /v1/subscriptions/:id                 Subscription
 *   POST /v1/subscriptions/:id                 Subscription (update)
 *   DELETE /v1/subscriptions/:id               Subscription (cancel)
 *   GET  /v1/invoices/:id                      Invoice (expand `payments…` includes InvoicePayments)
 *   POST /v1/invoices/:id/pay                  Invoice (pay; a decline is a 402 card_error)
 *   POST /v1/invoices/:id/void                 Invoice (void)
 *   POST /v1/invoices/:id/mark_uncollectible   Invoice (mark uncollectible)
 *   GET  /v1/invoice_payments?invoice=in_…     list of InvoicePayment
 *   GET  /v1/invoice_payments/:id              InvoicePayment
 *   GET  /v1/payment_intents/:id               PaymentIntent
 *   GET  /v1/charges/:id                       Charge
 *   GET  /v1/prices/:id                        Price
 *   GET  /v1/payment_methods/:id               PaymentMethod
 *   GET  /v1/setup_intents/:id                 SetupIntent
 *   POST /v1/billing_portal/sessions           BillingPortal.Session
 *   POST /v1/checkout/sessions                 Checkout.Session (mode=setup)
 *   GET  /v1/checkout/sessions/:id             Checkout.Session
 *   GET|POST /portal_session/:id, /checkout_session/:id   the hosted pages (a "Save card" form)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import type { StripeEvent } from './stripe-events.js'
import type { JsonObject } from './stripe-objects.js'
import { StandInError, StandInState, invalid, type FormParams, type FormValue, type KeySource, type LoggedRequest, type RequestRef } from './stripe-standin-state.js'

export { StandInState, StandInError, type CardBehaviour, type CardUpdateResult, type FormParams, type KeySource, type LoggedRequest } from './stripe-standin-state.js'

/** The key tests use unless they pass their own. */
export const STANDIN_SECRET_KEY = 'sk_test_standin0123456789abcdefABCDEF'

export interface StandInOptions {
  /** The only key accepted (default: any `sk_test_…`/`rk_test_…` key). */
  readonly apiKey?: string
  /** Where to POST webhook Events (with `webhookSecret`; `setWebhook` can set it later). */
  readonly webhookUrl?: string
  readonly webhookSecret?: string
  /** API version Events are rendered in, as a webhook endpoint's version (default: the SDK's pin). */
  readonly eventApiVersion?: string
  /** Unix seconds now (default: the wall clock). */
  readonly clock?: () => number
}

export interface DeliveryRecord {
  readonly eventId: string
  readonly type: string
  readonly status: number | 'error'
}

export interface StripeStandIn {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** An SDK client against the stand-in: http, no retries, no telemetry. */
  readonly stripe: Stripe
  readonly state: StandInState
  /** Every request received, in order. */
  readonly requests: readonly LoggedRequest[]
  /** Webhook deliveries made so far. */
  readonly deliveries: readonly DeliveryRecord[]
  /** How many requests matched `method` and `path` (a string is an exact path). */
  calls(method: string, path: string | RegExp): number
  /** POSTs whose Idempotency-Key was not the caller's (none, or the SDK's random one per request). */
  writesWithoutCallerKey(): readonly LoggedRequest[]
  /** Resolves when every Event queued so far was delivered. */
  flushWebhooks(): Promise<void>
  /** Sends Events queued from now on to this endpoint, signed with `secret` (`whsec_…`). */
  setWebhook(url: string, secret: string): void
  /** Delivers Events again, in the order given (e.g. another arrival order). */
  deliver(events: readonly StripeEvent[]): Promise<void>
  /** `completeCardUpdate` of the state (what the hosted page's form does), webhooks flushed. */
  completeCardUpdate(sessionId: string, card?: Parameters<StandInState['completeCardUpdate']>[1]): Promise<ReturnType<StandInState['completeCardUpdate']>>
  close(): Promise<void>
}

interface Answer {
  readonly status: number
  readonly body: JsonObject
}

interface SavedAnswer extends Answer {
  readonly endpoint: string
  readonly params: string
}

/** Starts the stand-in on 127.0.0.1 (a free port). */
export async function startStripeStandIn(options: StandInOptions = {}): Promise<StripeStandIn> {
  const deliveries: DeliveryRecord[] = []
  const saved = new Map<string, SavedAnswer>()
  let delivering: Promise<void> = Promise.resolve()
  let webhook = options.webhookUrl && options.webhookSecret ? { url: options.webhookUrl, secret: options.webhookSecret } : undefined

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: { type: 'api_error', message: `stand-in failure: ${String((err as Error)?.stack ?? err)}` } } })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const st = new StandInState({ baseUrl: url, eventApiVersion: options.eventApiVersion, clock: options.clock })

  async function deliverOne(event: StripeEvent): Promise<void> {
    if (!webhook) return
    const payload = JSON.stringify(event, null, 2)
    // Signed at the wall clock's time, as Stripe signs at sending (the state's clock may be fake).
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhook.secret, timestamp: Math.floor(Date.now() / 1000) })
    try {
      const res = await fetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
        body: payload,
      })
      await res.arrayBuffer()
      deliveries.push({ eventId: event.id, type: event.type, status: res.status })
    } catch {
      deliveries.push({ eventId: event.id, type: event.type, status: 'error' })
    }
  }
  // One at a time, in the order the Events were created.
  st.onEvent = (event) => {
    delivering = delivering.then(() => deliverOne(event))
  }
  const flushWebhooks = async (): Promise<void> => {
    let current: Promise<void>
    do {
      current = delivering
      await current
    } while (current !== delivering)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const parsed = new URL(req.url ?? '/', url)
    const path = parsed.pathname
    const method = req.method ?? 'GET'

    if (path.startsWith('/portal_session/') || path.startsWith('/checkout_session/')) return hostedPage(method, path, body, res)

    const params = method === 'POST' ? parseForm(body) : parseForm(parsed.search.slice(1))
    const key = header(req, 'idempotency-key')
    const keySource: KeySource = key === undefined ? 'none' : key.startsWith('stripe-node-retry-') ? 'sdk' : 'caller'
    const apiVersion = header(req, 'stripe-version')
    const logged: LoggedRequest = { method, path, params, idempotencyKey: key, keySource, apiVersion, headers: req.headers, status: 0, replayed: false }
    st.requests.push(logged)

    const reply = (answer: Answer, extra: Record<string, string> = {}) => {
      logged.status = answer.status
      send(res, answer, extra)
    }
    const auth = authenticate(header(req, 'authorization'), options.apiKey)
    if (auth) return reply(auth)

    if (method === 'POST' && key !== undefined) {
      const endpoint = `${method} ${path}`
      const previous = saved.get(key)
      if (previous) {
        if (previous.endpoint !== endpoint) {
          return reply(idempotencyError(`Keys for idempotent requests can only be used for the same endpoint they were first used for ('${previous.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`))
        }
        if (previous.params !== canonical(params)) {
          return reply(idempotencyError(`Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`))
        }
        logged.replayed = true
        return reply(previous, { 'idempotent-replayed': 'true' })
      }
    }

    const request: RequestRef = { id: st.newId('req'), idempotency_key: method === 'POST' ? (key ?? null) : null }
    let answer: Answer
    let save = true
    try {
      answer = { status: 200, body: route(st, method, path, params, request, apiVersion ?? Stripe.API_VERSION) }
    } catch (err) {
      if (!(err instanceof StandInError)) throw err
      answer = { status: err.status, body: { error: err.error } }
      save = !err.beforeExecution
    }
    if (method === 'POST' && key !== undefined && save && answer.status < 500) saved.set(key, { ...answer, endpoint: `${method} ${path}`, params: canonical(params) })
    reply(answer, { 'request-id': request.id ?? '', 'stripe-version': apiVersion ?? Stripe.API_VERSION })
  }

  function hostedPage(method: string, path: string, body: string, res: ServerResponse): void {
    const id = decodeURIComponent(path.split('/')[2] ?? '')
    const known = st.portalSession(id) ?? st.checkoutSession(id)
    if (!known) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' })
      res.end('<!doctype html><title>Not found</title><p>This session does not exist or has expired.</p>')
      return
    }
    if (method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(cardPage(id, 'customer' in known ? known.customer : ''))
      return
    }
    const form = parseForm(body)
    const declineCode = typeof form.decline_code === 'string' && form.decline_code !== '' ? form.decline_code : undefined
    try {
      const result = st.completeCardUpdate(id, { brand: typeof form.brand === 'string' ? form.brand : undefined, behaviour: declineCode ? { decline_code: declineCode } : 'succeed' })
      res.writeHead(303, { location: result.redirectUrl })
      res.end()
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
      res.end(`<!doctype html><title>Error</title><p>${escapeHtml((err as Error).message)}</p>`)
    }
  }

  const stripe = new Stripe(options.apiKey ?? STANDIN_SECRET_KEY, { host: '127.0.0.1', port: Number(new URL(url).port), protocol: 'http', maxNetworkRetries: 0, telemetry: false })

  return {
    url,
    stripe,
    state: st,
    requests: st.requests,
    deliveries,
    calls: (method, path) => st.calls(method, path),
    writesWithoutCallerKey: () => st.writesWithoutCallerKey(),
    flushWebhooks,
    setWebhook: (url, secret) => {
      webhook = { url, secret }
    },
    deliver: async (events) => {
      for (const event of events) await deliverOne(event)
    },
    completeCardUpdate: async (sessionId, card) => {
      const result = st.completeCardUpdate(sessionId, card)
      await flushWebhooks()
      return result
    },
    close: async () => {
      await flushWebhooks()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

/** Dispatches an authenticated API request to the state; throws StandInError for Stripe's errors. */
function route(st: StandInState, method: string, path: string, params: FormParams, request: RequestRef, apiVersion: string): JsonObject {
  const m = (pattern: RegExp) => pattern.exec(path)?.slice(1).map(decodeURIComponent)
  const expand = expandList(params)
  const allow = (...names: string[]) => rejectUnknown(params, [...names, 'expand'])
  const done = (object: JsonObject) => applyExpand(st, object, expand, apiVersion)
  let id: string[] | undefined

  if ((id = m(/^\/v1\/customers\/([^/]+)$/))) {
    if (method === 'GET') return done(st.renderCustomer(id[0]))
    if (method === 'POST') {
      allow('invoice_settings', 'email', 'name', 'metadata', 'description', 'phone')
      return done(st.updateCustomer(id[0], params, request))
    }
  }
  if ((id = m(/^\/v1\/subscriptions\/([^/]+)$/))) {
    if (method === 'GET') return done(st.renderSubscription(id[0], apiVersion))
    if (method === 'POST') {
      allow('default_payment_method', 'pause_collection', 'cancel_at_period_end', 'metadata', 'proration_behavior')
      return done(st.updateSubscription(id[0], params, request, apiVersion))
    }
    if (method === 'DELETE') {
      allow('invoice_now', 'prorate', 'cancellation_details')
      return done(st.cancelSubscription(id[0], request, apiVersion))
    }
  }
  if ((id = m(/^\/v1\/invoices\/([^/]+)$/)) && method === 'GET') {
    const includePayments = expand.some((e) => e === 'payments' || e.startsWith('payments.'))
    return done(st.renderInvoice(id[0], apiVersion, includePayments))
  }
  if ((id = m(/^\/v1\/invoices\/([^/]+)\/(pay|void|mark_uncollectible)$/)) && method === 'POST') {
    const [invoice, action] = id
    if (action === 'pay') {
      allow('payment_method', 'off_session', 'forgive', 'paid_out_of_band', 'source', 'mandate')
      return done(st.payInvoice(invoice, params, request, apiVersion))
    }
    allow()
    return done(action === 'void' ? st.voidInvoice(invoice, request, apiVersion) : st.markUncollectible(invoice, request, apiVersion))
  }
  if (path === '/v1/invoice_payments' && method === 'GET') {
    allow('invoice', 'limit', 'starting_after', 'ending_before', 'payment', 'status')
    if (typeof params.invoice !== 'string') throw invalid('The Stripe stand-in lists invoice payments of one invoice: pass invoice.', { param: 'invoice' })
    return done(st.renderInvoicePayments(params.invoice, apiVersion))
  }
  const reads: [RegExp, (id: string) => JsonObject][] = [
    [/^\/v1\/invoice_payments\/([^/]+)$/, (x) => st.renderInvoicePayment(x)],
    [/^\/v1\/payment_intents\/([^/]+)$/, (x) => st.renderPaymentIntent(x, apiVersion)],
    [/^\/v1\/charges\/([^/]+)$/, (x) => st.renderCharge(x, apiVersion)],
    [/^\/v1\/prices\/([^/]+)$/, (x) => st.renderPrice(x)],
    [/^\/v1\/payment_methods\/([^/]+)$/, (x) => st.renderPaymentMethod(x)],
    [/^\/v1\/setup_intents\/([^/]+)$/, (x) => st.renderSetupIntent(x)],
    [/^\/v1\/checkout\/sessions\/([^/]+)$/, (x) => st.renderCheckoutSession(x)],
  ]
  for (const [pattern, read] of reads) {
    if (method === 'GET' && (id = m(pattern))) {
      allow()
      return done(read(id[0]))
    }
  }
  if (path === '/v1/billing_portal/sessions' && method === 'POST') {
    allow('customer', 'return_url', 'flow_data', 'configuration', 'locale', 'on_behalf_of')
    return done(st.createPortalSession(params))
  }
  if (path === '/v1/checkout/sessions' && method === 'POST') {
    allow('mode', 'customer', 'success_url', 'cancel_url', 'currency', 'payment_method_types', 'setup_intent_data', 'metadata', 'client_reference_id', 'locale', 'ui_mode')
    return done(st.createCheckoutSession(params, request))
  }
  throw new StandInError(404, { message: `Unrecognized request URL (${method}: ${path}). Please see https://docs.stripe.com or we can help at https://support.stripe.com/.`, type: 'invalid_request_error' }, true)
}

/** Stripe's 401s: no key, or a key it does not know (shown masked). */
function authenticate(authorization: string | undefined, expected: string | undefined): Answer | undefined {
  const key = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined
  if (!key) {
    return {
      status: 401,
      body: {
        error: {
          message:
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://docs.stripe.com/api#authentication for details, or we can help at https://support.stripe.com/.",
          type: 'invalid_request_error',
        },
      },
    }
  }
  const ok = expected ? key === expected : /^(sk|rk)_test_[A-Za-z0-9]+$/.test(key)
  if (ok) return undefined
  const masked = key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : key
  return { status: 401, body: { error: { message: `Invalid API Key provided: ${masked}`, type: 'invalid_request_error' } } }
}

function idempotencyError(message: string): Answer {
  return { status: 400, body: { error: { message, type: 'idempotency_error' } } }
}

/** Stripe refuses parameters it does not know (`Received unknown parameter: x`). */
function rejectUnknown(params: FormParams, allowed: readonly string[]): void {
  const unknown = Object.keys(params).find((k) => !allowed.includes(k))
  if (unknown) throw invalid(`Received unknown parameter: ${unknown}`, { code: 'parameter_unknown', param: unknown })
}

function expandList(params: FormParams): string[] {
  const e = params.expand
  if (e === undefined) return []
  if (Array.isArray(e)) return e.map(String)
  throw invalid('Invalid array', { param: 'expand' })
}

/**
 * Replaces ids by objects along each `expand` path (`payments.data.payment.payment_intent`):
 * lists are walked through `data`, an id met before the end is expanded to walk on.
 */
function applyExpand(st: StandInState, object: JsonObject, paths: readonly string[], apiVersion: string): JsonObject {
  for (const path of paths) {
    const walk = (node: JsonObject, segments: readonly string[]): void => {
      const [head, ...rest] = segments
      if (Array.isArray(node[head])) {
        for (const el of node[head] as JsonObject[]) if (rest.length > 0 && el && typeof el === 'object') walk(el, rest)
        return
      }
      let value = node[head]
      if (value === undefined) throw invalid(`This property cannot be expanded (${path}).`, { param: 'expand' })
      if (typeof value === 'string') {
        const expanded = st.renderById(value, apiVersion)
        if (!expanded) throw invalid(`This property cannot be expanded (${path}).`, { param: 'expand' })
        node[head] = expanded
        value = expanded
      }
      if (rest.length > 0 && value && typeof value === 'object' && !Array.isArray(value)) walk(value, rest)
    }
    walk(object, path.split('.'))
  }
  return object
}

/** Decodes `application/x-www-form-urlencoded` the way Stripe reads it: `a[b][c]=1`, `a[]=x`, `a[0]=x`. */
export function parseForm(text: string): FormParams {
  const root: { [key: string]: FormValue } = {}
  for (const pair of text.split('&')) {
    if (!pair) continue
    const eq = pair.indexOf('=')
    const rawKey = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '))
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '))
    const first = rawKey.indexOf('[')
    const segments = first < 0 ? [rawKey] : [rawKey.slice(0, first), ...Array.from(rawKey.slice(first).matchAll(/\[([^\]]*)\]/g), (x) => x[1])]
    let node: { [key: string]: FormValue } = root
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1
      if (segment === '') {
        // `a[]`: append to the array `node` stands for.
        const list = node as unknown as FormValue[]
        if (last) list.push(value)
        else list.push({})
        node = list[list.length - 1] as { [key: string]: FormValue }
        return
      }
      if (last) {
        node[segment] = value
        return
      }
      const nextIsAppend = segments[i + 1] === ''
      if (node[segment] === undefined || typeof node[segment] !== 'object') node[segment] = nextIsAppend ? [] : {}
      node = node[segment] as { [key: string]: FormValue }
    })
  }
  return arrays(root) as FormParams
}

/** Objects keyed 0…n-1 become arrays (the SDK writes arrays as `a[0]=x&a[1]=y`). */
function arrays(value: FormValue): FormValue {
  if (typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(arrays)
  const keys = Object.keys(value)
  const out: { [key: string]: FormValue } = {}
  for (const k of keys) out[k] = arrays(value[k])
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => out[k])
  return out
}

/** Parameters in a canonical form, to compare a replay with the first request. */
function canonical(value: FormValue): string {
  if (typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(',')}}`
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

function send(res: ServerResponse, answer: Answer, extra: Record<string, string> = {}): void {
  res.writeHead(answer.status, { 'content-type': 'application/json', 'stripe-version': Stripe.API_VERSION, ...extra })
  res.end(JSON.stringify(answer.body, null, 2))
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** The hosted page: one form to "enter a new card" (its brand, and optionally a decline it will give later). */
function cardPage(sessionId: string, customer: string): string {
  const action = sessionId.startsWith('bps_') ? `/portal_session/${encodeURIComponent(sessionId)}` : `/checkout_session/${encodeURIComponent(sessionId)}`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Update your payment method</title></head>
<body>
<h1>Update your payment method</h1>
<p>Customer ${escapeHtml(customer)} (Stripe stand-in)</p>
<form method="post" action="${action}">
  <label>Card number <input name="number" value="5555 5555 5555 4444" autocomplete="cc-number"></label>
  <label>Brand <select name="brand"><option value="mastercard">Mastercard</option><option value="visa">Visa</option><option value="amex">American Express</option></select></label>
  <label>Later charges <select name="decline_code"><option value="">succeed</option><option value="insufficient_funds">insufficient_funds</option><option value="generic_decline">generic_decline</option></select></label>
  <button type="submit">Save card</button>
</form>
</body></html>`
}
