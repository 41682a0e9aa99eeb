import type { WorkflowInput } from '../domain/workflow.js'

/** A ready-made workflow: valid as it is (status draft, any product) once products are picked. */
export type StarterWorkflow = WorkflowInput & { readonly id: string; readonly description: string }

/**
 * Starter workflows for both triggers (GET /v1/workflow-templates, `recoup workflows templates`);
 * a user copies one, picks products, and activates it.
 */
export const STARTER_WORKFLOWS: readonly StarterWorkflow[] = [
  {
    id: 'starter_failed_payment_recovery',
    name: 'Failed payment recovery',
    description:
      'Tell the customer and flag the account, retry the payment on the decline-aware schedule (hard declines are not retried), and if that does not recover it, ask for a new card. Ends as soon as the payment succeeds.',
    status: 'draft',
    trigger: { type: 'payment.failed', products: ['*'], conditions: [] },
    exit_on: ['payment.succeeded'],
    steps: [
      {
        id: 'tell-customer',
        type: 'send_email',
        subject: 'Your {{ product.name }} payment did not go through',
        body: 'Hi {{ customer.name }},\n\nWe could not charge {{ payment.amount | money: payment.currency }} for {{ product.name }}{% if payment.failure_message %} ({{ payment.failure_message }}){% endif %}. We will try again over the next few days.\n\nIf your card has changed, update it here: {{ links.update_payment }}\n\nThank you!',
      },
      { id: 'flag-account', type: 'update_customer', add_tags: ['payment-failed'], set_fields: { billing_status: 'past_due' }, note: 'Payment {{ payment.id }} failed ({{ payment.failure_code }})' },
      { id: 'alert-finance', type: 'notify_team', channel: 'email', to: 'finance@example.com', message: '{{ customer.email }}: {{ product.name }} payment of {{ payment.amount | money: payment.currency }} failed ({{ payment.failure_code }}).' },
      // The default policy: soft declines retried on a schedule (insufficient funds around paydays), hard declines skipped.
      { id: 'smart-retry', type: 'retry_payment' },
      {
        id: 'ask-new-card',
        type: 'send_email',
        subject: 'Please update your card for {{ product.name }}',
        body: 'Hi {{ customer.name }},\n\nWe still could not collect {{ payment.amount | money: payment.currency }} for {{ product.name }}. Please add a new card so your access continues: {{ links.update_payment }}\n\nThank you!',
      },
    ],
  },
  {
    id: 'starter_installment_winback',
    name: 'Installment cancellation win-back',
    description:
      'Confirm the cancellation with the balance due, record it, tell the team, and offer to spread the balance over 4 monthly installments. If the customer declines or lets the offer expire, send one last note.',
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
      {
        id: 'restructure-offer',
        type: 'offer',
        kind: 'restructure',
        installments: 4,
        every: 'P30D',
        expires_in: 'P7D',
        note: 'Keep your access to {{ product.name }} and pay the rest in smaller steps.',
      },
      { id: 'last-note', type: 'send_email', subject: 'We are here if you want to finish {{ product.name }}', body: 'Hi {{ customer.name }}, if you would like to pick {{ product.name }} up again later, just reply to this email.' },
    ],
  },
]
