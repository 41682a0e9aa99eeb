// Hand-written, deterministic fixtures shared by the tests.

/** A payment.failed event for `product`, with overrides. */
export function paymentFailed(id: string, o: { customer?: string; product?: string; amount?: number; subscription?: string; code?: string; invoice?: string } = {}) {
  return {
    id,
    type: 'payment.failed',
    occurred_at: '2026-11-21T10:00:00Z',
    customer: { id: o.customer ?? 'cus_ada', email: 'ada@example.com', phone: '+15555550100', name: 'Ada Lovelace' },
    product_ids: [o.product ?? 'prod_pro'],
    payment: {
      id: `pay_${id}`,
      amount: o.amount ?? 4900,
      currency: 'USD',
      subscription_id: o.subscription ?? 'sub_ada',
      invoice_id: o.invoice ?? `in_${id}`,
      failure_code: o.code ?? 'card_declined',
      failure_message: 'Your card was declined.',
      attempt: 1,
    },
  }
}

/** A payment.succeeded event for the same subscription (paying `invoice` when given). */
export function paymentSucceeded(id: string, o: { customer?: string; product?: string; subscription?: string; invoice?: string } = {}) {
  const e = paymentFailed(id, o)
  const invoice = o.invoice ? { invoice_id: o.invoice } : {}
  return { ...e, type: 'payment.succeeded', payment: { id: e.payment.id, amount: 4900, currency: 'USD', subscription_id: e.payment.subscription_id, ...invoice } }
}

/** An installment_plan.canceled event. */
export function planCanceled(id: string, o: { customer?: string; product?: string; plan?: string; balance?: number } = {}) {
  return {
    id,
    type: 'installment_plan.canceled',
    customer: { id: o.customer ?? 'cus_grace', email: 'grace@example.com', name: 'Grace Hopper' },
    product_ids: [o.product ?? 'prod_course'],
    installment_plan: {
      id: o.plan ?? 'plan_grace',
      installments_total: 6,
      installments_paid: 2,
      installment_amount: 10000,
      currency: 'USD',
      balance_due: o.balance ?? 40000,
      reason: 'customer_request',
    },
  }
}

/** The API.md example workflow, with a short wait so tests can watch it end. */
export function recoveryWorkflow(o: { id?: string; wait?: string; products?: string[]; status?: string } = {}) {
  return {
    id: o.id ?? 'wf_pro_recovery',
    name: 'Pro plan — failed payment',
    status: o.status ?? 'active',
    trigger: { type: 'payment.failed', products: o.products ?? ['prod_pro'], conditions: [{ field: 'payment.amount', op: 'gte', value: 1000 }] },
    exit_on: ['payment.succeeded'],
    steps: [
      {
        id: 'tell-customer',
        type: 'send_email',
        subject: "Your {{ product.name }} payment didn't go through",
        body: 'Hi {{ customer.name }}, we couldn\'t charge {{ payment.amount | money: payment.currency }}. Update your card: {{ links.update_payment }}',
      },
      { id: 'tag', type: 'update_customer', add_tags: ['payment-failed'], set_fields: { billing_status: 'past_due' }, note: 'Payment {{ payment.id }} failed: {{ payment.failure_code }}' },
      { id: 'alert-finance', type: 'notify_team', channel: 'email', to: 'finance@example.com', message: '{{ customer.email }} failed a {{ product.name }} payment' },
      { id: 'give-it-time', type: 'wait', duration: o.wait ?? 'P3D' },
      { id: 'nudge', type: 'send_sms', body: 'Your {{ product.name }} payment is still due: {{ links.update_payment }}' },
    ],
  }
}

/** An installment-cancellation workflow. */
export function planWorkflow(o: { id?: string; products?: string[] } = {}) {
  return {
    id: o.id ?? 'wf_course_winback',
    name: 'Course plan canceled',
    status: 'active',
    trigger: { type: 'installment_plan.canceled', products: o.products ?? ['prod_course'] },
    steps: [
      { id: 'tell', type: 'send_email', subject: 'Your plan was canceled', body: 'Balance due: {{ installment_plan.balance_due | money: installment_plan.currency }} ({{ installment_plan.installments_remaining }} installments left)' },
      { id: 'record', type: 'update_customer', add_tags: ['plan-canceled'] },
    ],
  }
}
