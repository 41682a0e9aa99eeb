// What an offer step proposes, and the events its acceptance records. Pure data: the offer
// action computes terms, the portal shows them and turns an acceptance into events.

import type { ScheduledInstallment } from './installments.js'

/** Push the due date of the amount owed back by `days`. */
export interface ExtendTerms {
  readonly kind: 'extend'
  readonly days: number
  /** New due date, ISO 8601 UTC. */
  readonly due_at: string
  /** Amount owed, integer minor units. */
  readonly amount: number
  readonly currency: string
  readonly subscription_id?: string
  readonly installment_plan_id?: string
  readonly payment_id?: string
}

/** Spread the balance of a plan over new installments. */
export interface RestructureTerms {
  readonly kind: 'restructure'
  readonly installments: number
  /** Interval between installments (ISO 8601 duration). */
  readonly every: string
  readonly schedule: readonly ScheduledInstallment[]
  /** The balance being spread; the schedule's amounts add up to it exactly. */
  readonly amount: number
  readonly currency: string
  readonly installment_plan_id: string
}

export type OfferTerms = ExtendTerms | RestructureTerms

export type OfferStatus = 'open' | 'accepted' | 'declined' | 'expired'

/** An offer step's output: what was offered, until when, and how it ended. */
export interface OfferState {
  readonly offer: OfferTerms
  readonly status: OfferStatus
  /** ISO 8601 UTC; the offer can be accepted until then. */
  readonly expires_at: string
  /** The rendered note shown with the offer. */
  readonly note?: string
}

/** The id of the customer's decision on one offer: deterministic, so a double click is one event. */
export function offerDecisionId(decision: 'accepted' | 'declined', runId: string, stepId: string): string {
  return `offer_${decision}_${runId}_${stepId}`
}

/** Who accepted which offer of which run, for building the acceptance events. */
export interface Acceptance {
  readonly runId: string
  readonly stepId: string
  readonly customerId: string
  readonly productIds: readonly string[]
  readonly offer: OfferTerms
}

/**
 * The events an acceptance records together: `offer.accepted` (which ends the run as goal met)
 * and the business event that updates the records (`installment_plan.restructured` or
 * `payment.extended`). Ids derive from the run and step, so recording them twice is harmless.
 */
export function acceptanceEvents(a: Acceptance): Record<string, unknown>[] {
  const common = { customer: { id: a.customerId }, product_ids: [...a.productIds], metadata: { source: 'offer', run_id: a.runId, step_id: a.stepId } }
  const accepted = { ...common, id: offerDecisionId('accepted', a.runId, a.stepId), type: 'offer.accepted', run_id: a.runId, step_id: a.stepId }
  const o = a.offer
  if (o.kind === 'restructure') {
    return [
      accepted,
      {
        ...common,
        id: `offer_restructured_${a.runId}_${a.stepId}`,
        type: 'installment_plan.restructured',
        installment_plan: {
          id: o.installment_plan_id,
          installments_total: o.schedule.length,
          // The largest installment: the first ones carry the odd minor units.
          installment_amount: Math.max(...o.schedule.map((i) => i.amount)),
          currency: o.currency,
          balance_due: o.amount,
          schedule: o.schedule.map((i) => ({ ...i })),
        },
      },
    ]
  }
  return [
    accepted,
    {
      ...common,
      id: `offer_extended_${a.runId}_${a.stepId}`,
      type: 'payment.extended',
      ...(o.subscription_id ? { subscription_id: o.subscription_id } : {}),
      ...(o.installment_plan_id ? { installment_plan_id: o.installment_plan_id } : {}),
      extension: { due_at: o.due_at, amount: o.amount, currency: o.currency, ...(o.payment_id ? { payment_id: o.payment_id } : {}) },
    },
  ]
}
