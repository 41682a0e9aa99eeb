import type { RecoupEvent } from '../domain/events.js'
import type { TriggerSpec } from './trigger.js'
import { PLAN_VARIABLES } from './variables.js'

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
  variables: PLAN_VARIABLES,
  sampleEvent: sample,
}
