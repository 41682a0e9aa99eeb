import Stripe from 'stripe'
import { ConfigError } from '../../domain/errors.js'
import { stripeHost } from './payments.js'

/**
 * The few API reads a webhook delivery may need before it is mapped: the product of a price that
 * came as a bare id (subscription schedule phases), and the card a Checkout Session's SetupIntent
 * saved. They happen inside the webhook request, so each is bounded: one short timeout
 * (`timeoutMs`, 2 s by default, far below the ~10 s after which Stripe counts a delivery as
 * failed), no SDK retries, and a failure only means the event is recorded with what it says
 * itself. Both events are rare (a plan's cancellation, a card saved through Checkout), and price
 * products never change, so prices are cached for `ttlMs`.
 */
export interface StripeLookups {
  /** Stripe product ids of these prices; a price that could not be read is left out. */
  priceProducts(priceIds: readonly string[]): Promise<ReadonlyMap<string, string>>
  /** The payment method a SetupIntent saved, if it could be read in time. */
  setupIntentPaymentMethod(setupIntentId: string): Promise<string | undefined>
}

export interface StripeLookupOptions {
  readonly secretKey: string
  /** Another API host, e.g. a test stand-in (`http://127.0.0.1:12111`). */
  readonly apiBase?: string
  /** Per-request timeout in ms (default 2000). */
  readonly timeoutMs?: number
  /** How long a price's product is remembered (default one hour). */
  readonly ttlMs?: number
  readonly now?: () => number
  /** Told about failed reads (they never fail the delivery). */
  readonly onError?: (what: string, err: unknown) => void
}

/** Most prices remembered; the oldest entry makes room. */
const MAX_CACHED_PRICES = 10_000
/** Most prices read for one delivery (a schedule phase has at most 20 items). */
const MAX_PRICES_PER_EVENT = 20

/** Stripe API reads for the webhook route, bounded in time and cached (see StripeLookups). */
export function createStripeLookups(options: StripeLookupOptions): StripeLookups {
  if (!options.secretKey) throw new ConfigError('RECOUP_STRIPE_SECRET_KEY is empty')
  const stripe = new Stripe(options.secretKey, {
    ...(options.apiBase ? stripeHost(options.apiBase) : {}),
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? 2000,
    telemetry: false,
  })
  const ttl = options.ttlMs ?? 3_600_000
  const now = options.now ?? Date.now
  const prices = new Map<string, { readonly product: string; readonly until: number }>()
  const failed = (what: string) => (err: unknown) => {
    options.onError?.(what, err)
    return undefined
  }

  return {
    async priceProducts(priceIds) {
      const out = new Map<string, string>()
      const missing: string[] = []
      for (const id of priceIds.slice(0, MAX_PRICES_PER_EVENT)) {
        const hit = prices.get(id)
        if (hit && hit.until > now()) out.set(id, hit.product)
        else missing.push(id)
      }
      const read = await Promise.all(missing.map((id) => stripe.prices.retrieve(id).catch(failed(`price ${id}`))))
      read.forEach((price, i) => {
        const product = typeof price?.product === 'string' ? price.product : price?.product?.id
        if (!product) return
        const id = missing[i]!
        out.set(id, product)
        prices.delete(id)
        if (prices.size >= MAX_CACHED_PRICES) prices.delete(prices.keys().next().value as string)
        prices.set(id, { product, until: now() + ttl })
      })
      return out
    },
    async setupIntentPaymentMethod(setupIntentId) {
      const si = await stripe.setupIntents.retrieve(setupIntentId).catch(failed(`setup intent ${setupIntentId}`))
      const pm = si?.payment_method
      return typeof pm === 'string' ? pm : (pm?.id ?? undefined)
    },
  }
}
