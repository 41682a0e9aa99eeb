import { planEventSchema, type RecoupEvent } from '../domain/events.js'
import type { TriggerSpec } from './trigger.js'
import { COMMON_SUGGESTED, PLAN_VARIABLES } from './variables.js'

const sample: RecoupEvent = {
  id: 'evt_sample_plan_canceled',
  type: 'installment_plan.canceled',
  occurred_at: '2026-11-21T10:00:00Z',
  customer: { id: 'cus_sample', email: 'grace@example.com', phone: '+15555550101', name: 'Grace Hopper' },
  product_ids: [],
  installment_plan: {
    id: 'plan_sample', installments_total: 6, installments_paid: 2, installment_amount: 10000,
    currency: 'USD', balance_due: 40000, reason: 'customer_request',
  },
}

/** An installment plan for a selected product was canceled. */
export const installmentCanceled: TriggerSpec = {
  type: 'installment_plan.canceled',
  title: 'Installment plan canceled',
  event: planEventSchema,
  carriesPayment: false,
  // The plan is recorded canceled with what is still owed (the balance a win-back offer spreads).
  records(event, batch, at) {
    if (event.type !== 'installment_plan.canceled') return
    const p = event.installment_plan
    batch.canceledPlans.set(p.id, {
      id: p.id, customer_id: event.customer.id, product_ids: JSON.stringify(event.product_ids), status: 'canceled',
      installments_total: p.installments_total, installments_paid: p.installments_paid, installment_amount: p.installment_amount,
      currency: p.currency, balance_due: p.balance_due, reason: p.reason ?? null, created_at: at.now, updated_at: at.now,
    })
  },
  context(event) {
    if (event.type !== 'installment_plan.canceled') return {}
    const p = event.installment_plan
    return { installment_plan: { ...p, installments_remaining: Math.max(0, p.installments_total - p.installments_paid), status: 'canceled' } }
  },
  variables: PLAN_VARIABLES,
  suggestedVariables: [
    ...COMMON_SUGGESTED,
    'installment_plan.balance_due | money: installment_plan.currency',
    'installment_plan.installment_amount | money: installment_plan.currency',
    'installment_plan.installments_paid', 'installment_plan.installments_total', 'installment_plan.reason',
  ],
  sampleEvent: sample,
}
