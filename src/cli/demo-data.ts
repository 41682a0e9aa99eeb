import type { Kysely } from 'kysely'
import type { WorkflowService } from '../workflows/service.js'
import type { RawStep } from '../domain/workflow.js'
import type { Ingestor } from '../ingest/ingest.js'
import type { Database } from '../store/schema.js'
import { findWorkflow } from '../store/repos/workflows.js'
import { seedProducts } from '../store/repos/product-seed.js'
import { armsOf } from '../steps/registry.js'
import { STARTER_WORKFLOWS } from '../workflows/starters.js'

const PRODUCTS = [
  { id: 'demo_pro', name: 'Pro plan (monthly)', description: 'Subscription, $49 a month' },
  { id: 'demo_team', name: 'Team plan (annual)', description: 'Subscription, $1,188 a year' },
  { id: 'demo_course', name: 'Masterclass course', description: 'Sold in 6 installments of $100' },
]

const PEOPLE = [
  ['ada', 'Ada Lovelace'], ['grace', 'Grace Hopper'], ['alan', 'Alan Turing'], ['katherine', 'Katherine Johnson'],
  ['edsger', 'Edsger Dijkstra'], ['barbara', 'Barbara Liskov'], ['linus', 'Linus Pauling'], ['hedy', 'Hedy Lamarr'],
] as const
// One of each decline the starter workflow tells apart: insufficient funds, a replaced card, the bank's approval, others.
const CODES = ['card_declined', 'insufficient_funds', 'expired_card', 'authentication_required', 'processing_error', 'do_not_honor']
// Some customers read German or Spanish: the starter messages and portal pages follow them.
const LOCALES = [undefined, 'de', undefined, 'es', undefined, 'de', undefined, 'es']

/**
 * Loads products, the two starter workflows (active, with short waits so things move) and a stream
 * of sample events, so a newcomer sees Recoup working within a minute. Safe to run twice.
 */
export async function loadDemo(options: { db: Kysely<Database>; workflows: WorkflowService; ingestor: Ingestor }): Promise<Record<string, unknown>> {
  const { db, workflows, ingestor } = options
  const now = new Date().toISOString()
  await seedProducts(db, PRODUCTS, now)
  const [payment, plan] = STARTER_WORKFLOWS
  // Minutes instead of days, so a newcomer sees retries, offers and follow-ups happen.
  const short: Record<string, Record<string, unknown>> = { wait: { duration: 'PT2M' }, retry_payment: { schedule: ['PT2M', 'PT5M'] }, offer: { expires_in: 'PT10M' } }
  const shortWaits = (steps: readonly Record<string, unknown>[]): Record<string, unknown>[] =>
    steps.map((s) => {
      // Nested step lists (a branch's then / else) by the step type's `arms` trait.
      const arms = Object.fromEntries(armsOf(s as RawStep).map((a) => [a.name, shortWaits(a.steps)]))
      return { ...s, ...short[s.type as string], ...arms }
    })
  const wanted = [
    { ...payment, id: 'demo_failed_payment', status: 'active', trigger: { ...payment.trigger, products: ['demo_pro', 'demo_team'] }, steps: shortWaits(payment.steps) },
    { ...plan, id: 'demo_installment_winback', status: 'active', trigger: { ...plan.trigger, products: ['demo_course'] }, steps: shortWaits(plan.steps) },
  ]
  // A demo workflow the user already changed is left as it is.
  for (const wf of wanted) if (!(await findWorkflow(db, wf.id))) await workflows.create(wf)
  const events: Record<string, unknown>[] = []
  PEOPLE.forEach(([slug, name], i) => {
    const locale = LOCALES[i]
    const customer = { id: `demo_cus_${slug}`, email: `${slug}@example.com`, phone: `+1555555${String(100 + i).padStart(4, '0')}`, name, ...(locale ? { locale } : {}) }
    if (i % 3 === 2) {
      events.push({
        id: `demo_evt_plan_${slug}`, type: 'installment_plan.canceled', customer, product_ids: ['demo_course'],
        installment_plan: { id: `demo_plan_${slug}`, installments_total: 6, installments_paid: (i % 5) + 1, installment_amount: 10000, currency: 'USD', balance_due: (5 - (i % 5)) * 10000, reason: 'customer_request' },
      })
      return
    }
    const product = i % 2 === 0 ? 'demo_pro' : 'demo_team'
    const amount = product === 'demo_pro' ? 4900 : 118800
    const payment = { id: `demo_pay_${slug}`, amount, currency: 'USD', subscription_id: `demo_sub_${slug}`, invoice_id: `demo_in_${slug}`, failure_code: CODES[i % CODES.length], failure_message: 'The card was declined.', attempt: 1 }
    events.push({ id: `demo_evt_fail_${slug}`, type: 'payment.failed', customer, product_ids: [product], payment })
    // Some customers pay soon after: their runs end as goal met.
    if (i % 4 === 0) events.push({ id: `demo_evt_paid_${slug}`, type: 'payment.succeeded', customer, product_ids: [product], payment: { id: `demo_pay_${slug}_2`, amount, currency: 'USD', subscription_id: payment.subscription_id } })
  })
  const results = await ingestor.acceptMany(events)
  return {
    products: PRODUCTS.map((p) => p.id),
    workflows: wanted.map((w) => w.id),
    events: results.length,
    runs: results.reduce((n, r) => n + (r.status === 202 ? r.runs.length : 0), 0),
  }
}
