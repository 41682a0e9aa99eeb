import type { WorkflowInput } from '../domain/workflow.js'
import {
  APPROVAL_URL, CARD_REPLACED, DECLINED, INSUFFICIENT_FUNDS, NEEDS_APPROVAL, PLAN_CANCELED, PLAN_LAST_NOTE, STILL_DUE, STILL_DUE_SMS,
  localizedEmail,
} from './starter-copy.js'

/** A ready-made workflow: valid as it is (status draft, any product) once products are picked. */
export type StarterWorkflow = WorkflowInput & { readonly id: string; readonly description: string }

/**
 * Starter workflows for both triggers (GET /v1/workflow-templates, `recoup workflows templates`);
 * a user copies one, picks products, and activates it. Customer messages are in English, German
 * and Spanish (by the customer's locale).
 */
export const STARTER_WORKFLOWS: readonly StarterWorkflow[] = [
  {
    id: 'starter_failed_payment_recovery',
    name: 'Failed payment recovery',
    description:
      'Flag the account and tell finance, then tell the customer what fits the decline: insufficient funds (we retry around paydays, nothing to do), an expired or replaced card (update it), the bank wants approval (confirm the payment), or any other decline (check with the bank or update the card). Retry on the decline-aware schedule (hard declines are not retried); if that does not recover it, one last email and a text. Ends as soon as the payment succeeds.',
    status: 'draft',
    trigger: { type: 'payment.failed', products: ['*'], conditions: [] },
    exit_on: ['payment.succeeded'],
    steps: [
      { id: 'flag-account', type: 'update_customer', add_tags: ['payment-failed'], set_fields: { billing_status: 'past_due' }, until: 'recovered', restore_fields: { billing_status: 'active' }, note: 'Payment {{ payment.id }} failed ({{ payment.failure_code }})' },
      { id: 'alert-finance', type: 'notify_team', channel: 'email', to: 'finance@example.com', message: '{{ customer.email }}: {{ product.name }} payment of {{ payment.amount | money: payment.currency }} failed ({{ payment.failure_code }}).' },
      {
        id: 'insufficient-funds',
        type: 'branch',
        if: [{ field: 'decline.kind', op: 'eq', value: 'insufficient_funds' }],
        then: [{ id: 'tell-insufficient-funds', type: 'send_email', ...localizedEmail(INSUFFICIENT_FUNDS) }],
        else: [
          {
            id: 'card-replaced',
            type: 'branch',
            if: [{ field: 'decline.kind', op: 'eq', value: 'card_replaced' }],
            then: [
              // A hard decline: the retry below skips it; give the customer a few days to add a card.
              { id: 'ask-for-new-card', type: 'send_email', ...localizedEmail(CARD_REPLACED) },
              { id: 'wait-for-new-card', type: 'wait', duration: 'P3D' },
            ],
            else: [
              {
                id: 'bank-approval',
                type: 'branch',
                if: [{ field: 'decline.kind', op: 'eq', value: 'needs_approval' }],
                then: [
                  { id: 'ask-to-confirm', type: 'send_email', ...localizedEmail(NEEDS_APPROVAL, APPROVAL_URL) },
                  { id: 'wait-for-approval', type: 'wait', duration: 'P2D' },
                ],
                else: [{ id: 'tell-declined', type: 'send_email', ...localizedEmail(DECLINED) }],
              },
            ],
          },
        ],
      },
      // The default policy: soft declines retried on a schedule (insufficient funds around paydays), hard declines skipped.
      { id: 'smart-retry', type: 'retry_payment' },
      { id: 'still-due', type: 'send_email', ...localizedEmail(STILL_DUE) },
      { id: 'text-still-due', type: 'send_sms', body: STILL_DUE_SMS.en, translations: { de: { body: STILL_DUE_SMS.de }, es: { body: STILL_DUE_SMS.es } } },
      // The run stays open a while, so a card the customer gives late is still charged at once.
      { id: 'room-for-a-new-card', type: 'wait', duration: 'P14D' },
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
      { id: 'confirm', type: 'send_email', ...localizedEmail(PLAN_CANCELED) },
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
      { id: 'last-note', type: 'send_email', ...localizedEmail(PLAN_LAST_NOTE) },
    ],
  },
]
