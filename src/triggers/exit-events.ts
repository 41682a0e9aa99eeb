import type { EventType } from '../domain/events.js'

/** Events a run can exit on (a workflow's `exit_on`), in the order the dashboard offers them, with words for people. */
export const EXIT_EVENTS: readonly { readonly type: EventType; readonly title: string }[] = [
  { type: 'payment.succeeded', title: 'The customer paid' },
  { type: 'payment.extended', title: 'The due date was extended (extend offer accepted)' },
  { type: 'installment_plan.restructured', title: 'The plan was restructured (restructure offer accepted)' },
  { type: 'offer.accepted', title: 'The customer accepted an offer' },
  { type: 'offer.declined', title: 'The customer declined an offer' },
  { type: 'payment_method.updated', title: 'The customer updated their payment method' },
  { type: 'payment.retry_requested', title: 'The customer asked to retry the payment' },
  { type: 'installment_plan.canceled', title: 'An installment plan was canceled' },
  { type: 'payment.failed', title: 'Another payment failed' },
]
