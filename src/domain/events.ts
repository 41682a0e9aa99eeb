import { z } from 'zod'
import { idProblem } from './ids.js'
import { localeSchema } from './locale.js'
import { currencySchema, minorUnitsSchema } from './money.js'
import { phoneSchema } from './phone.js'
import { timeZoneSchema } from './time-zone.js'

/** Event types Recoup understands. */
export const EVENT_TYPES = [
  'payment.failed',
  'payment.succeeded',
  'installment_plan.canceled',
  'payment_method.updated',
  'payment.retry_requested',
  'offer.accepted',
  'offer.declined',
  'installment_plan.restructured',
  'payment.extended',
  'payment.decline_reason',
  'subscription.ended',
  'invoice.closed',
] as const

/** Stripe's `advice_code` values. */
export const ADVICE_CODES = ['try_again_later', 'do_not_try_again', 'confirm_card_data'] as const
/** Card brands as Stripe names them. */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay', 'cartes_bancaires', 'eftpos_au', 'interac', 'link', 'unknown'] as const
export type EventType = (typeof EVENT_TYPES)[number]

/** An id from the caller's systems: the one id rule (domain/ids.ts). */
export const idSchema = z.string().superRefine((id, ctx) => {
  const why = idProblem(id)
  if (why) ctx.addIssue({ code: 'custom', message: why })
})

export const customerRefSchema = z.strictObject({
  id: idSchema,
  email: z.email('must be an email address').optional(),
  phone: phoneSchema.optional(),
  name: z.string().max(500).optional(),
  time_zone: timeZoneSchema.optional(),
  /** BCP 47 language tag (`de`, `es-MX`) for the customer's messages and pages. */
  locale: localeSchema.optional(),
})

/** Why a card payment failed, as the processor and the card network said (all optional). */
export const declineFields = {
  failure_code: z.string().max(100).optional(),
  failure_message: z.string().max(2000).optional(),
  /** The issuer's reason (Stripe `decline_code`, e.g. insufficient_funds). */
  decline_code: z.string().max(100).optional(),
  advice_code: z.enum(ADVICE_CODES, { error: `must be one of: ${ADVICE_CODES.join(', ')}` }).optional(),
  /** Mastercard Merchant Advice Code and the like: two characters (`03`, `24`). */
  network_advice_code: z.string().regex(/^[A-Za-z0-9]{1,4}$/, 'must be the network\'s advice code, e.g. 03 or 24').optional(),
  /** The network's response code (`05`, `51`, `R1`). */
  network_decline_code: z.string().regex(/^[A-Za-z0-9]{1,4}$/, 'must be the network\'s response code, e.g. 05 or 51').optional(),
  card_brand: z.enum(CARD_BRANDS, { error: `must be one of: ${CARD_BRANDS.join(', ')}` }).optional(),
  payment_method_id: idSchema.optional(),
  card_fingerprint: z.string().min(1).max(100).optional(),
} as const

export const paymentSchema = z.strictObject({
  id: idSchema,
  amount: minorUnitsSchema,
  currency: currencySchema,
  subscription_id: idSchema.optional(),
  invoice_id: idSchema.optional(),
  /** The processor's attempt (Stripe PaymentIntent) behind this payment, when known. */
  payment_intent_id: idSchema.optional(),
  ...declineFields,
  attempt: z.number().int().positive().optional(),
  /** When the processor itself will try again (Stripe's `next_payment_attempt`); absent: it will not. */
  next_attempt_at: z.iso.datetime({ offset: true }).optional(),
  /** True when the decline reason is still on its way (it comes in a separate event). */
  reason_pending: z.boolean().optional(),
  /** Where the customer approves the payment with their bank (Stripe: the invoice's hosted page). */
  confirm_url: z.url().max(2000).refine((u) => u.startsWith('https://'), 'must be an https URL').optional(),
})

/** The reason for a failure that is (or will be) recorded by its own payment.failed. */
export const declineReasonSchema = z.strictObject({
  invoice_id: idSchema.optional(),
  payment_intent_id: idSchema.optional(),
  amount: minorUnitsSchema.optional(),
  currency: currencySchema.optional(),
  ...declineFields,
})

export const installmentPlanSchema = z.strictObject({
  id: idSchema,
  installments_total: z.number().int().positive(),
  installments_paid: z.number().int().nonnegative(),
  installment_amount: minorUnitsSchema,
  currency: currencySchema,
  balance_due: minorUnitsSchema,
  reason: z.string().max(200).optional(),
})

const base = {
  id: idSchema,
  occurred_at: z.iso.datetime({ offset: true }).optional(),
  customer: customerRefSchema,
  product_ids: z.array(idSchema).max(100).default([]),
  metadata: z.record(z.string(), z.unknown()).optional(),
}

export const paymentEventSchema = z.strictObject({
  ...base,
  type: z.enum(['payment.failed', 'payment.succeeded']),
  payment: paymentSchema,
})

export const planEventSchema = z.strictObject({
  ...base,
  type: z.literal('installment_plan.canceled'),
  installment_plan: installmentPlanSchema,
})

export const customerActionEventSchema = z.strictObject({
  ...base,
  type: z.enum(['payment_method.updated', 'payment.retry_requested']),
  subscription_id: idSchema.optional(),
  installment_plan_id: idSchema.optional(),
  /** The new card (payment_method.updated), when the processor said which. */
  payment_method_id: idSchema.optional(),
})

/** Why a payment failed, arriving on its own (Stripe's charge.failed / payment_intent.payment_failed). */
export const declineReasonEventSchema = z.strictObject({
  ...base,
  type: z.literal('payment.decline_reason'),
  decline: declineReasonSchema,
})

/** A subscription ended without being paid: canceled, unpaid or expired. Its recoveries end. */
export const subscriptionEndedEventSchema = z.strictObject({
  ...base,
  type: z.literal('subscription.ended'),
  subscription_id: idSchema,
  status: z.enum(['canceled', 'unpaid', 'incomplete_expired']),
})

/** An invoice that can no longer be paid: voided, or written off as uncollectible. Its recoveries end. */
export const invoiceClosedEventSchema = z.strictObject({
  ...base,
  type: z.literal('invoice.closed'),
  invoice_id: idSchema,
  subscription_id: idSchema.optional(),
  status: z.enum(['void', 'uncollectible']),
})

/** The customer's answer to an offer step (`run_id` + `step_id` name the offer). */
export const offerDecisionEventSchema = z.strictObject({
  ...base,
  type: z.enum(['offer.accepted', 'offer.declined']),
  run_id: idSchema,
  step_id: idSchema,
})

const scheduledInstallmentSchema = z.strictObject({ due_at: z.iso.datetime({ offset: true }), amount: minorUnitsSchema })

/** A plan re-created on a new schedule; the schedule must add up to the balance exactly. */
export const restructuredPlanSchema = z
  .strictObject({
    id: idSchema,
    installments_total: z.number().int().positive(),
    installment_amount: minorUnitsSchema,
    currency: currencySchema,
    balance_due: minorUnitsSchema,
    schedule: z.array(scheduledInstallmentSchema).min(1).max(120),
  })
  .refine((p) => p.schedule.length === p.installments_total, { path: ['schedule'], message: 'must list installments_total installments' })
  .refine((p) => p.schedule.reduce((sum, i) => sum + i.amount, 0) === p.balance_due, { path: ['schedule'], message: 'amounts must add up to balance_due exactly' })

export const planRestructuredEventSchema = z.strictObject({
  ...base,
  type: z.literal('installment_plan.restructured'),
  installment_plan: restructuredPlanSchema,
})

/** A due date pushed back: for a subscription's unpaid payment or a plan's balance. */
export const paymentExtendedEventSchema = z.strictObject({
  ...base,
  type: z.literal('payment.extended'),
  subscription_id: idSchema.optional(),
  installment_plan_id: idSchema.optional(),
  extension: z.strictObject({
    due_at: z.iso.datetime({ offset: true }),
    amount: minorUnitsSchema,
    currency: currencySchema,
    payment_id: idSchema.optional(),
  }),
})

/** One incoming event, as POSTed to /v1/events. */
export const eventSchema = z.discriminatedUnion('type', [
  paymentEventSchema, planEventSchema, customerActionEventSchema, offerDecisionEventSchema, planRestructuredEventSchema,
  paymentExtendedEventSchema, declineReasonEventSchema, subscriptionEndedEventSchema, invoiceClosedEventSchema,
], {
  error: (issue) =>
    issue.code === 'invalid_union' ? `type must be one of: ${EVENT_TYPES.join(', ')}` : undefined,
})
export type RecoupEvent = z.output<typeof eventSchema>
export type EventInput = z.input<typeof eventSchema>

/** Most events one batch may hold. */
export const MAX_BATCH = 1000

/** The subscription id an event concerns, if any. */
export function subscriptionIdOf(event: RecoupEvent): string | undefined {
  if ('payment' in event) return event.payment.subscription_id
  if ('subscription_id' in event) return event.subscription_id
  return undefined
}

/** The decline fields of a payment or a decline reason, without the undefined ones. */
export function declineOf(d: Partial<Record<keyof typeof declineFields, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of Object.keys(declineFields)) {
    const v = d[key as keyof typeof declineFields]
    if (typeof v === 'string') out[key] = v
  }
  return out
}

/** The installment plan id an event concerns, if any. */
export function planIdOf(event: RecoupEvent): string | undefined {
  if ('installment_plan' in event) return event.installment_plan.id
  if ('installment_plan_id' in event) return event.installment_plan_id
  return undefined
}
