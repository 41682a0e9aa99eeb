import type { WorkflowInput } from '../domain/workflow.js'

/** Ready-made workflows for both triggers; a user copies one, picks products, and activates it. */
export const STARTER_WORKFLOWS: readonly (WorkflowInput & { id: string; description: string })[] = [
  {
    id: 'starter_failed_payment_recovery',
    name: 'Failed payment recovery',
    description: 'Email the customer a link to update their card, flag the account, alert finance, then nudge by SMS.',
    status: 'draft',
    trigger: { type: 'payment.failed', products: ['*'], conditions: [] },
    exit_on: ['payment.succeeded'],
    steps: [
      {
        id: 'tell-customer',
        type: 'send_email',
        subject: 'Your {{ product.name }} payment did not go through',
        body: 'Hi {{ customer.name }},\n\nWe could not charge {{ payment.amount | money: payment.currency }} for {{ product.name }}{% if payment.failure_message %} ({{ payment.failure_message }}){% endif %}.\n\nUpdate your payment method here: {{ links.update_payment }}\n\nThank you!',
      },
      { id: 'flag-account', type: 'update_customer', add_tags: ['payment-failed'], set_fields: { billing_status: 'past_due' }, note: 'Payment {{ payment.id }} failed ({{ payment.failure_code }})' },
      { id: 'alert-finance', type: 'notify_team', channel: 'email', to: 'finance@example.com', message: '{{ customer.email }}: {{ product.name }} payment of {{ payment.amount | money: payment.currency }} failed ({{ payment.failure_code }}).' },
      { id: 'give-it-time', type: 'wait', duration: 'P2D' },
      { id: 'nudge', type: 'send_sms', body: 'Your {{ product.name }} payment of {{ payment.amount | money: payment.currency }} is still due. Update your card: {{ links.update_payment }}' },
    ],
  },
  {
    id: 'starter_installment_winback',
    name: 'Installment cancellation win-back',
    description: 'Confirm the cancellation with the balance due, record it, tell the team, and follow up with an offer link.',
    status: 'draft',
    trigger: { type: 'installment_plan.canceled', products: ['*'], conditions: [] },
    exit_on: ['payment.succeeded'],
    steps: [
      {
        id: 'confirm',
        type: 'send_email',
        subject: 'Your {{ product.name }} installment plan was canceled',
        body: 'Hi {{ customer.name }},\n\nYour plan for {{ product.name }} was canceled with {{ installment_plan.installments_remaining }} of {{ installment_plan.installments_total }} installments left. Balance due: {{ installment_plan.balance_due | money: installment_plan.currency }}.\n\nIf the timing was the problem, we can spread it out differently: {{ links.offer }}',
      },
      { id: 'record', type: 'update_customer', add_tags: ['plan-canceled'], set_fields: { plan_status: 'canceled' }, note: 'Plan {{ installment_plan.id }} canceled, {{ installment_plan.balance_due | money: installment_plan.currency }} due' },
      { id: 'alert-team', type: 'notify_team', channel: 'email', to: 'support@example.com', message: '{{ customer.email }} canceled their {{ product.name }} plan ({{ installment_plan.reason }}).' },
      { id: 'wait-a-bit', type: 'wait', duration: 'P3D' },
      { id: 'follow-up', type: 'send_email', subject: 'Still want to finish {{ product.name }}?', body: 'Hi {{ customer.name }}, you can pick up where you left off with smaller installments: {{ links.offer }}' },
    ],
  },
]
