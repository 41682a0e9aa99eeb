import { z } from 'zod'
import { durationSchema, parseDuration } from '../domain/duration.js'
import { PermanentError } from '../domain/errors.js'
import { restructuredSchedule } from '../domain/installments.js'
import { offerDecisionId, type OfferState, type OfferTerms } from '../domain/offers.js'
import { defineAction, type ActionInput, type TemplateData } from './action.js'

const positiveDuration = durationSchema.refine((d) => (parseDuration(d) ?? 0) > 0, 'must be longer than zero')
const common = {
  /** How long the customer has to accept (ISO 8601). */
  expires_in: positiveDuration.default('P7D'),
  /** Liquid template shown with the offer on the portal page. */
  note: z.string().min(1).max(2000).optional(),
  /**
   * Tell the team when the customer accepts (a `notify_team` alert, sent once the run has ended
   * as offer accepted). `message` defaults to who accepted what.
   */
  alert_on_accept: z
    .strictObject({
      channel: z.enum(['email', 'slack', 'webhook']),
      to: z.string().min(1).optional(),
      url: z.string().min(1).optional(),
      subject: z.string().min(1).max(998).optional(),
      message: z.string().min(1).max(40_000).optional(),
    })
    .refine((a) => (a.channel === 'email' ? !!a.to : !!a.url), { message: 'an email alert needs "to"; a Slack or webhook alert needs "url"' })
    .optional(),
}

/** The alert sent when an offer is accepted and the step gave no message. */
export const ACCEPTED_ALERT_MESSAGE = '{{ customer.name | default: customer.email }} accepted the offer of {{ workflow.name }}.'

const params = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('extend'), days: z.number().int().min(1).max(365), ...common }),
    z.strictObject({ kind: z.literal('restructure'), installments: z.number().int().min(2).max(36), every: positiveDuration.default('P30D'), ...common }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'kind must be one of: extend, restructure' : undefined) },
)
type Params = z.output<typeof params>

const NEEDS_PLAN = 'a restructure offer spreads an installment plan\'s balance: use it in an installment_plan.canceled workflow, or use kind: extend'

/**
 * Offers the customer better terms on the portal (`links.offer`): push the due date back, or
 * spread a plan's balance over new installments. The step waits until the customer answers or the
 * offer expires. Acceptance (recorded by the portal) updates the records and ends the run as goal
 * met; a decline or expiry completes the step and the workflow goes on.
 */
export const offer = defineAction({
  type: 'offer',
  title: 'Make an offer',
  traits: { outside: false, customerMessage: false, readsRecords: true, continuesOnError: false },
  params,
  templates: ['note'],
  // The portal's offer page (links.offer) shows the step's state: the terms, open until expires_at.
  portal: { link: 'offer', read: (output) => (output.offer ? (output as unknown as OfferState) : undefined) },
  check(p, { trigger }) {
    if (p.kind === 'restructure' && trigger !== 'installment_plan.canceled') return { path: 'kind', message: NEEDS_PLAN }
    return undefined
  },
  preview(input) {
    try {
      return { ...opening(input), note: input.params.note ? input.render(input.params.note) : undefined }
    } catch (err) {
      // A preview explains; it never fails the request.
      return { error: (err as Error).message }
    }
  },
  async run(input) {
    const state = input.state as OfferState | undefined
    if (!state) {
      const open = opening(input)
      if (open.offer.amount === 0) return { status: 'skipped', reason: 'nothing is due, so there is nothing to offer', output: { amount: 0 } }
      const output: OfferState = { ...open, ...(input.params.note ? { note: input.render(input.params.note) } : {}) }
      return { status: 'waiting', until: Date.parse(open.expires_at), reason: `offer open until ${open.expires_at}`, output: { ...output } }
    }
    const decision = await decisionOf(input)
    if (decision) return { status: 'completed', output: { ...state, status: decision } }
    if (input.now >= Date.parse(state.expires_at)) return { status: 'completed', output: { ...state, status: 'expired' } }
    // Woken early (another event of this customer): keep waiting for an answer.
    return { status: 'waiting', until: Date.parse(state.expires_at), reason: `offer open until ${state.expires_at}`, output: { ...state } }
  },
})

/** The offer's terms as of now, from the run's event snapshot. */
function opening(input: ActionInput<Params>): { offer: OfferTerms; status: 'open'; expires_at: string } {
  const { params: p, data, now } = input
  const expires_at = new Date(now + parseDuration(p.expires_in)!).toISOString()
  const plan = data.installment_plan as PlanData | undefined
  if (p.kind === 'restructure') {
    if (!plan || typeof plan.balance_due !== 'number') throw new PermanentError(NEEDS_PLAN)
    const every = parseDuration(p.every)!
    // The first new installment falls one interval after the offer is made: the customer gets the
    // same breathing room before every payment, and the dates shown are the dates accepted.
    const schedule = restructuredSchedule({ balance: plan.balance_due, installments: p.installments, startAt: now + every, every })
    return {
      offer: { kind: 'restructure', installments: p.installments, every: p.every, schedule, amount: plan.balance_due, currency: plan.currency, installment_plan_id: plan.id },
      status: 'open',
      expires_at,
    }
  }
  const due = amountDue(data)
  return {
    offer: { kind: 'extend', days: p.days, due_at: new Date(now + p.days * 86_400_000).toISOString(), ...due },
    status: 'open',
    expires_at,
  }
}

interface PlanData {
  id: string
  balance_due: number
  currency: string
}

interface PaymentData {
  id: string
  amount: number
  currency: string
  subscription_id?: string
}

/** What an extension is for: the failed payment, or the plan's balance. */
function amountDue(data: TemplateData): Omit<Extract<OfferTerms, { kind: 'extend' }>, 'kind' | 'days' | 'due_at'> {
  const payment = data.payment as PaymentData | undefined
  if (payment && typeof payment.amount === 'number') {
    return { amount: payment.amount, currency: payment.currency, payment_id: payment.id, ...(payment.subscription_id ? { subscription_id: payment.subscription_id } : {}) }
  }
  const plan = data.installment_plan as PlanData | undefined
  if (plan && typeof plan.balance_due === 'number') return { amount: plan.balance_due, currency: plan.currency, installment_plan_id: plan.id }
  throw new PermanentError('an extend offer needs an amount due: use it in a payment.failed or installment_plan.canceled workflow')
}

/** The customer's answer, recorded by the portal (or the API) as an event with a known id. */
async function decisionOf(input: ActionInput<Params>): Promise<'accepted' | 'declined' | undefined> {
  const ids = [offerDecisionId('accepted', input.runId, input.stepId), offerDecisionId('declined', input.runId, input.stepId)]
  const rows = await input.db.selectFrom('events').select('id').where('id', 'in', ids).execute()
  const found = new Set(rows.map((r) => r.id))
  // Accepted wins: it changed the records, so the workflow must not treat the offer as refused.
  if (found.has(ids[0])) return 'accepted'
  if (found.has(ids[1])) return 'declined'
  return undefined
}
