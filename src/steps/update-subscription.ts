import { z } from 'zod'
import type { SubscriptionEnding } from '../providers/stripe/payments.js'
import { PermanentError } from '../domain/errors.js'
import { insertMessage } from '../store/repos/messages.js'
import { defineAction } from './action.js'

const ACTIONS = ['cancel', 'pause_collection', 'mark_uncollectible'] as const

const params = z.strictObject({
  action: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }),
  /** Built-in provider only: where the request to the billing team goes (else the outbox). */
  notify: z.email().optional(),
})

interface PaymentData {
  id?: string
  subscription_id?: string
  invoice_id?: string
}

/** In words, for previews, outputs and the billing team. */
const DOING: Record<SubscriptionEnding, (p: PaymentData) => string> = {
  cancel: (p) => `cancel subscription ${p.subscription_id} now`,
  pause_collection: (p) => `pause payment collection on subscription ${p.subscription_id} (its new invoices are marked uncollectible until it resumes)`,
  mark_uncollectible: (p) => `mark invoice ${p.invoice_id} uncollectible (no more payment attempts on it)`,
}

/**
 * Ends a recovery that did not work the way the business chose, as Stripe's own end-of-dunning
 * settings do: cancel the subscription, pause its collection, or mark the failed invoice
 * uncollectible. Idempotent per run and step. Without Stripe the billing team is asked instead.
 */
export const updateSubscription = defineAction({
  type: 'update_subscription',
  title: 'End the subscription',
  traits: { outside: true, customerMessage: false, readsRecords: true, continuesOnError: false },
  params,
  check(_p, { trigger }) {
    if (trigger !== 'payment.failed') {
      return { path: 'action', message: "update_subscription ends a failed payment's subscription: use it in a payment.failed workflow" }
    }
    return undefined
  },
  preview({ params: p, data }) {
    const payment = (data.payment as PaymentData | undefined) ?? {}
    return { action: p.action, would: `${DOING[p.action](payment)} in Stripe, or ask the billing team to when Stripe is not configured` }
  },
  async run(input) {
    const { action } = input.params
    const payment = input.data.payment as PaymentData | undefined
    if (!payment) throw new PermanentError('update_subscription needs a failed payment: use it in a payment.failed workflow')
    if (action === 'mark_uncollectible' && !payment.invoice_id) {
      throw new PermanentError('update_subscription mark_uncollectible needs the failed invoice: this payment has no invoice_id')
    }
    if (action !== 'mark_uncollectible' && !payment.subscription_id) {
      throw new PermanentError(`update_subscription ${action} needs a subscription: this payment has no subscription_id`)
    }
    const target = { ...(payment.subscription_id ? { subscription_id: payment.subscription_id } : {}), ...(payment.invoice_id ? { invoice_id: payment.invoice_id } : {}) }
    const doing = DOING[action](payment)
    if (input.payments.endSubscription) {
      const { status } = await input.payments.endSubscription({
        subscriptionId: payment.subscription_id ?? '',
        ...(payment.invoice_id ? { invoiceId: payment.invoice_id } : {}),
        action,
        idempotencyKey: input.idempotencyKey,
      })
      return { status: 'completed', output: { action, ...target, status, done: status.startsWith('already_') ? `nothing to do: ${status.replace(/_/g, ' ')}` : doing } }
    }
    const to = input.params.notify ?? 'billing team'
    return {
      status: 'completed',
      output: { action, ...target, status: 'requested', requested_from: to },
      apply: async (trx) =>
        void (await insertMessage(trx, {
          run_id: input.runId, step_id: input.stepId, customer_id: input.customerId, channel: 'team', to,
          subject: `Please ${action.replace(/_/g, ' ')} for ${input.customerId}`,
          body: `The recovery of customer ${input.customerId}'s failed payment did not work. Please ${doing}.`,
          status: 'outbox',
        })),
    }
  },
})
