// Which template variables each trigger offers. Used to reject, at save time, a template that
// names something a run will never have (a typo, or installment_plan in a payment workflow).

/** `*` under a key means "any key below here" (free-form user data). */
export type VariableTree = { readonly [key: string]: VariableTree | true }

const ANY: VariableTree = { '*': true }

const customer: VariableTree = { id: true, email: true, phone: true, name: true, time_zone: true, locale: true, tags: true, fields: ANY }
const product: VariableTree = { id: true, name: true, description: true }
const common: VariableTree = {
  customer,
  product,
  products: { '#': product, size: true, first: product, last: product },
  event: { id: true, type: true, occurred_at: true, metadata: ANY },
  links: { update_payment: true, offer: true, unsubscribe: true },
  business: { name: true, logo_url: true, color: true, address: true },
  workflow: { id: true, name: true, version: true },
  run: { id: true, created_at: true },
}

/** Variables every run has that the dashboard's picker offers first, before a trigger's own. */
export const COMMON_SUGGESTED: readonly string[] = [
  'customer.name', 'customer.email', 'customer.phone', 'product.name', 'links.update_payment', 'links.offer', 'workflow.name', 'run.id',
]

/** Variables of a run started by `payment.failed`. */
export const PAYMENT_VARIABLES: VariableTree = {
  ...common,
  payment: {
    id: true, amount: true, currency: true, subscription_id: true, invoice_id: true,
    failure_code: true, failure_message: true, attempt: true, next_attempt_at: true, confirm_url: true,
    decline_code: true, advice_code: true, network_advice_code: true, network_decline_code: true,
    card_brand: true, payment_method_id: true, card_fingerprint: true, payment_intent_id: true, reason_pending: true,
  },
  subscription: { id: true, status: true },
  /** What the decline asks of the customer: `kind` is insufficient_funds, card_replaced, needs_approval or other. */
  decline: { reason: true, kind: true },
}

/** Variables of a run started by `installment_plan.canceled`. */
export const PLAN_VARIABLES: VariableTree = {
  ...common,
  installment_plan: {
    id: true, installments_total: true, installments_paid: true, installments_remaining: true,
    installment_amount: true, currency: true, balance_due: true, reason: true, status: true,
  },
}

/** Checks one variable path; returns an error message, or null when the path is known. */
export function checkVariable(tree: VariableTree, path: readonly (string | number)[]): string | null {
  let node: VariableTree | true = tree
  const seen: string[] = []
  for (const seg of path) {
    if (node === true) return null
    if ('*' in node) return null
    const key: string = typeof seg === 'number' || /^\d+$/.test(String(seg)) ? '#' : String(seg)
    const next: VariableTree | true | undefined = Object.hasOwn(node, key) ? node[key] : undefined
    if (next === undefined) {
      const where = seen.length ? `${seen.join('.')} has no "${seg}"` : `"${seg}" is not a variable here`
      const known = Object.keys(node).filter((k) => k !== '#' && k !== '*')
      return `unknown variable ${path.join('.')}: ${where} (known: ${known.join(', ')})`
    }
    seen.push(String(seg))
    node = next
  }
  return null
}
