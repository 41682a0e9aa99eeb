/**
 * The shape of the Stripe fields Recoup reads, checked before anything is mapped. A signed event is
 * Stripe's word, but its objects come in the API version of the endpoint (fields appear, move and
 * vanish across versions), so nothing here trusts the SDK's types. Fields Recoup cannot do without
 * fail the parse and the event is ignored with a reason naming the field; fields that only enrich
 * (contact details, failure details, products) are dropped when they are unusable.
 */
import { z } from 'zod'

/** Latest second an ISO 8601 date (year ≤ 9999) can hold. */
const MAX_UNIX_SECONDS = 253_402_300_799

const missingOr =
  (message: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'is missing' : message

/** A Stripe id: bounded like Recoup's ids, no control characters (PostgreSQL text cannot hold NUL). */
const stripeId = z.string({ error: missingOr('must be an id (a string)') }).regex(/^[^\p{Cc}]{1,255}$/u, 'must be an id of 1 to 255 printable characters')

/** A short text Recoup stores or shows; an unusable one is dropped, never fatal. */
// eslint-disable-next-line no-control-regex -- NUL is the one character refused: PostgreSQL text cannot store it
const text = z.string().regex(/^[^\u0000]*$/u)

/** Unix seconds between 1970 and the year 9999. */
export const unixSeconds = z
  .number({ error: missingOr('must be a Unix time in seconds') })
  // Range first, and alone: 1e20 is a whole number too, just not one that is a date.
  .min(0, { error: 'must not be before 1970', abort: true })
  .max(MAX_UNIX_SECONDS, { error: 'must not be after the year 9999', abort: true })
  .int('must be a whole number of seconds')

/** Integer minor units, as Stripe sends amounts. */
const minorUnits = z
  .number({ error: missingOr('must be an amount in minor units (a number)') })
  .int('must be a whole number of minor units')
  .min(0, 'must not be negative')

/** Stripe writes currencies in lower case; Recoup in upper case. */
const currency = z
  .string({ error: missingOr('must be a currency code (a string)') })
  .regex(/^[A-Za-z]{3}$/, 'must be a three-letter ISO 4217 currency code')
  .transform((c) => c.toUpperCase())

/** Either an id or the expanded object (Stripe expands on request, and in some API versions). */
const ref = z.union([stripeId, z.object({ id: stripeId })], { error: missingOr('must be an id or an object with an id') }).transform((r) => (typeof r === 'string' ? r : r.id))

/** Optional and lenient: null, absent and unusable all read as absent. */
function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined)
}

/** Elements of a list; an unusable one is left out instead of costing the whole list. */
function lenientList<T extends z.ZodType>(schema: T) {
  return lenient(z.array(schema.nullable().catch(null)).transform((list) => list.filter((x): x is NonNullable<typeof x> => x !== null)))
}

/** An expanded customer's contact fields (all optional: a deleted customer keeps only its id). */
const customerContact = {
  email: lenient(text),
  name: lenient(text),
  phone: lenient(text),
  /** The customer's languages, most preferred first (`["de-AT", "en"]`). */
  preferred_locales: lenientList(z.string()),
}

const customer = z.union(
  [
    stripeId.transform((id) => ({ id, email: undefined, name: undefined, phone: undefined, preferred_locales: undefined })),
    // An expanded customer (or a deleted one, which keeps only its id).
    z.object({ id: stripeId, ...customerContact }),
  ],
  { error: missingOr('must be a customer id or an expanded customer with an id') },
)
export type StripeCustomer = z.output<typeof customer>

const metadata = lenient(z.record(z.string(), z.unknown()))

const price = z.object({
  id: stripeId,
  product: ref,
  unit_amount: lenient(minorUnits),
  currency: lenient(currency),
})
/** Plans predate prices (API before 2020-08-27); Recoup reads them as prices. */
const planAsPrice = z
  .object({ id: stripeId, product: ref, amount: lenient(minorUnits), currency: lenient(currency) })
  .transform((p) => ({ id: p.id, product: p.product, unit_amount: p.amount, currency: p.currency }))
export type StripePrice = z.output<typeof price>

/** A card as a PaymentMethod or a charge's `payment_method_details` describes it. */
const card = z.object({ brand: lenient(text), fingerprint: lenient(text) })

/** A payment method: an id, or expanded (with its card). */
const paymentMethodRef = z.union([stripeId.transform((id) => ({ id, card: undefined })), z.object({ id: stripeId, card: lenient(card) })])

/**
 * A payment error (`last_payment_error`, `last_finalization_error`): every field only enriches, so
 * each one is dropped alone when unusable.
 */
const paymentError = z.object({
  code: lenient(text),
  decline_code: lenient(text),
  message: lenient(text),
  advice_code: lenient(text),
  network_advice_code: lenient(text),
  network_decline_code: lenient(text),
  payment_method: lenient(paymentMethodRef),
})
export type StripePaymentError = z.output<typeof paymentError>

/** A line of an invoice: `pricing.price_details` (API 2025-03-31 on) or `price` (before). */
const invoiceLine = z.object({
  pricing: lenient(z.object({ price_details: lenient(z.object({ price: lenient(ref), product: ref })) })),
  price: lenient(price),
})

const invoiceFields = {
  id: stripeId,
  customer,
  customer_email: lenient(text),
  customer_name: lenient(text),
  customer_phone: lenient(text),
  currency,
  attempt_count: lenient(z.number().int().min(0)),
  next_payment_attempt: lenient(unixSeconds),
  // Stripe's hosted page for this invoice: where a customer confirms a payment their bank holds.
  hosted_invoice_url: lenient(z.url().max(2000).refine((u) => u.startsWith('https://'))),
  last_finalization_error: lenient(paymentError),
  // Before API 2025-03-31: the subscription and the payment intent sat on the invoice.
  subscription: lenient(ref),
  // An id in webhooks (never expanded there); expanded only when an API caller asked for it.
  payment_intent: lenient(
    z.union([stripeId.transform((id) => ({ id, last_payment_error: undefined })), z.object({ id: lenient(stripeId), last_payment_error: lenient(paymentError) })]),
  ),
  parent: lenient(z.object({ subscription_details: lenient(z.object({ subscription: lenient(ref) })) })),
  lines: lenient(z.object({ data: lenientList(invoiceLine) })),
}

/** An invoice that can no longer be paid (voided, uncollectible): only whose it is matters. */
export const closedInvoiceSchema = z.object({
  id: stripeId,
  customer,
  subscription: invoiceFields.subscription,
  parent: invoiceFields.parent,
  lines: invoiceFields.lines,
})
export type StripeClosedInvoice = z.output<typeof closedInvoiceSchema>

/** An invoice whose payment failed: `amount_due` is what is owed. */
export const failedInvoiceSchema = z.object({ ...invoiceFields, amount_due: minorUnits })
/** A paid invoice: `amount_paid` is what came in. */
export const paidInvoiceSchema = z.object({ ...invoiceFields, amount_paid: minorUnits })
export type StripeInvoice = z.output<typeof failedInvoiceSchema> | z.output<typeof paidInvoiceSchema>

const subscriptionItem = z.object({
  price: lenient(price),
  plan: lenient(planAsPrice),
  quantity: lenient(z.number().int().min(0)),
})

export const subscriptionSchema = z.object({
  id: stripeId,
  customer,
  status: z.string({ error: missingOr('must be a subscription status (a string)') }).regex(/^[a-z_]{1,64}$/, 'must be a subscription status such as active or past_due'),
  // `currency` is on subscriptions from API 2022-08-01; before, only on the plan and the prices.
  currency: lenient(currency),
  plan: lenient(planAsPrice),
  items: lenient(z.object({ data: lenientList(subscriptionItem) })),
  metadata,
  cancellation_details: lenient(z.object({ reason: lenient(text) })),
})
export type StripeSubscription = z.output<typeof subscriptionSchema>

export const scheduleSchema = z.object({
  id: stripeId,
  customer,
  metadata,
  phases: lenientList(
    z.object({
      currency: lenient(currency),
      // Phase prices arrive as bare ids in webhooks (their product is looked up); expanded ones carry their amount.
      items: lenientList(z.object({ price: lenient(z.union([stripeId.transform((id) => ({ id, product: undefined, unit_amount: undefined, currency: undefined })), price])) })),
    }),
  ),
})
export type StripeSchedule = z.output<typeof scheduleSchema>

/** A failed Charge (`charge.failed`): Stripe's code, the issuer's answer in `outcome`, the card. */
export const chargeSchema = z.object({
  id: stripeId,
  // Null for a charge without a customer; such a charge explains no invoice of Recoup's.
  customer: lenient(ref),
  amount: minorUnits,
  currency,
  failure_code: lenient(text),
  failure_message: lenient(text),
  outcome: lenient(
    z.object({
      type: lenient(text),
      reason: lenient(text),
      advice_code: lenient(text),
      network_advice_code: lenient(text),
      network_decline_code: lenient(text),
    }),
  ),
  payment_method: lenient(stripeId),
  payment_method_details: lenient(z.object({ card: lenient(card) })),
  // Before API 2025-03-31 only: the invoice the charge paid (null for other charges).
  invoice: lenient(ref),
  payment_intent: lenient(ref),
})
export type StripeCharge = z.output<typeof chargeSchema>

/** A PaymentIntent whose attempt failed (`payment_intent.payment_failed`). */
export const paymentIntentSchema = z.object({
  id: stripeId,
  customer: lenient(ref),
  amount: minorUnits,
  currency,
  last_payment_error: lenient(paymentError),
  // Before API 2025-03-31 only.
  invoice: lenient(ref),
})
export type StripePaymentIntent = z.output<typeof paymentIntentSchema>

/** A PaymentMethod (`payment_method.attached`, `.automatically_updated`). */
export const paymentMethodSchema = z.object({ id: stripeId, customer: lenient(ref) })

/** A Customer (`customer.updated`): its contact details and default card. */
export const customerObjectSchema = z.object({
  id: stripeId,
  ...customerContact,
  invoice_settings: lenient(z.object({ default_payment_method: lenient(ref) })),
})
export type StripeCustomerObject = z.output<typeof customerObjectSchema>

/** A SetupIntent (`setup_intent.succeeded`): the card it saved, for whom. */
export const setupIntentSchema = z.object({ id: stripeId, customer: lenient(ref), payment_method: lenient(ref) })

/** A Checkout Session (`checkout.session.completed`); its SetupIntent is an id unless expanded. */
export const checkoutSessionSchema = z.object({
  id: stripeId,
  mode: lenient(text),
  customer: lenient(ref),
  setup_intent: lenient(z.union([stripeId.transform((id) => ({ id, payment_method: undefined })), z.object({ id: stripeId, payment_method: lenient(ref) })])),
})

/** The event around the object: what every mapped event needs. */
export const envelopeSchema = z.object({
  id: stripeId,
  created: unixSeconds,
  data: z.object({ object: z.record(z.string(), z.unknown(), { error: missingOr('must be an object') }) }, { error: missingOr('must be an object') }),
})

/**
 * Parses `value` or says which fields are unusable (`data.object.currency is missing`). The
 * reason names fields and types, never values: it is logged and sent back to Stripe.
 */
export function readShape<T extends z.ZodType>(schema: T, value: unknown, prefix: string): { ok: true; value: z.output<T> } | { ok: false; reason: string } {
  const parsed = schema.safeParse(value, { error: genericMessage })
  if (parsed.success) return { ok: true, value: parsed.data }
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)'} ${i.message}`)
  const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : ''
  return { ok: false, reason: issues.join('; ') + more }
}

function genericMessage(issue: z.core.$ZodRawIssue): string {
  if (issue.input === undefined) return 'is missing'
  if (issue.code === 'invalid_type') return `must be ${issue.expected === 'int' ? 'a whole number' : `of type ${issue.expected}`}, not ${kindOf(issue.input)}`
  if (issue.code === 'too_big' || issue.code === 'too_small') return 'is out of range'
  return 'is not usable'
}

/** How a value is described in a reason: its kind, never its content. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  const type = typeof value
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`
}
