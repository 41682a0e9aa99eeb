import { describe, expect, it } from 'vitest'
import {
  draftFieldPaths, draftFromApi, draftToApi, emptyDraft, formatConditionValue, move, newStep, parseConditionValue,
  sampleEvent, uniqueStepId, variablesFor,
} from './workflow-draft'
import { placeErrors } from './problem'

const API_WORKFLOW = {
  id: 'wf_pro_recovery', name: 'Pro plan — failed payment', status: 'active', version: 3,
  trigger: { type: 'payment.failed', products: ['prod_pro'], conditions: [{ field: 'payment.amount', op: 'gte', value: 1000 }] },
  exit_on: ['payment.succeeded'],
  steps: [
    { id: 'tell-customer', type: 'send_email', subject: 'Hi', body: 'Hi {{ customer.name }}' },
    { id: 'tag', type: 'update_customer', add_tags: ['payment-failed'], set_fields: { billing_status: 'past_due' }, note: 'n' },
    { id: 'alert', type: 'notify_team', channel: 'slack', url: 'https://hooks.example.com/x', message: 'm' },
    { id: 'give-it-time', type: 'wait', duration: 'P3D' },
    { id: 'retry', type: 'retry_payment', max_attempts: 2 },
    {
      id: 'big', type: 'branch', if: [{ field: 'payment.failure_code', op: 'in', value: ['card_declined', 'expired_card'] }],
      then: [{ id: 'nudge', type: 'send_sms', body: 'Pay please' }], else: [],
    },
    { id: 'offer', type: 'offer', kind: 'extend', extend_by: 'P14D' },
  ],
}

describe('workflow draft', () => {
  it('round-trips the API shape, keeping fields the form does not know', () => {
    const draft = draftFromApi(API_WORKFLOW)
    expect(draft.version).toBe(3)
    expect(draft.steps[1]!.add_tags).toBe('payment-failed')
    expect(draft.conditions[0]!.value).toBe('1000')
    const { id: _id, version: _v, ...rest } = API_WORKFLOW
    expect(draftToApi(draft)).toEqual(rest)
  })
  it('builds API JSON from form text', () => {
    const d = emptyDraft()
    d.name = '  Basic  '
    d.products = ['prod_a']
    d.conditions = [{ key: 'c', field: 'payment.currency', op: 'in', value: 'USD, EUR' }]
    const email = newStep('send_email', new Set())
    email.to = '  '
    const crm = newStep('update_customer', new Set())
    crm.add_tags = 'a, b, a'
    crm.set_fields = [{ key: 'x', name: 'status', value: 'late' }, { key: 'y', name: ' ', value: 'ignored' }]
    d.steps = [email, crm]
    const api = draftToApi(d, 'active')
    expect(api).toMatchObject({
      name: 'Basic', status: 'active',
      trigger: { type: 'payment.failed', products: ['prod_a'], conditions: [{ field: 'payment.currency', op: 'in', value: ['USD', 'EUR'] }] },
    })
    const steps = api.steps as Record<string, unknown>[]
    expect(steps[0]).not.toHaveProperty('to')
    expect(steps[1]).toEqual({ id: 'update-customer-1', type: 'update_customer', add_tags: ['a', 'b'], set_fields: { status: 'late' } })
  })
  it('types condition values', () => {
    expect(parseConditionValue('gte', '1000')).toBe(1000)
    expect(parseConditionValue('eq', '"1000"')).toBe('1000')
    expect(parseConditionValue('eq', 'card_declined')).toBe('card_declined')
    expect(parseConditionValue('exists', '')).toBeUndefined()
    expect(parseConditionValue('exists', 'false')).toBe(false)
    expect(parseConditionValue('in', '[1, 2]')).toEqual([1, 2])
    expect(formatConditionValue(['a', 1])).toBe('a, 1')
    expect(formatConditionValue('42')).toBe('"42"')
  })
  it('lists field paths so nested API errors find their field', () => {
    const draft = draftFromApi(API_WORKFLOW)
    const placed = placeErrors(
      [
        { path: 'steps[5].then[0].body', message: 'unknown variable' },
        { path: 'trigger.products[0]', message: 'unknown product' },
        { path: 'steps[1].set_fields.billing_status', message: 'bad' },
        { path: 'steps[3].duration', message: 'not a duration' },
      ],
      draftFieldPaths(draft),
    )
    expect([...placed.byField.keys()]).toEqual(['steps[5].then[0].body', 'trigger.products', 'steps[1].set_fields.billing_status', 'steps[3].duration'])
    expect(placed.unplaced).toEqual([])
  })
  it('makes unique step ids and moves steps', () => {
    expect(uniqueStepId('send_email', new Set(['send-email-1']))).toBe('send-email-2')
    expect(move(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'c', 'b'])
    expect(move(['a', 'b'], 0, -1)).toEqual(['a', 'b'])
  })
  it('offers the variables and sample event of the trigger', () => {
    expect(variablesFor('installment_plan.canceled').some((v) => v.startsWith('payment.'))).toBe(false)
    expect(sampleEvent('payment.failed', ['*'])).toMatchObject({ product_ids: [], payment: { amount: 4900 } })
    expect(sampleEvent('installment_plan.canceled', ['p1', 'p2'])).toMatchObject({ product_ids: ['p1'] })
  })
})
