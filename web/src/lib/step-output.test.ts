import { describe, expect, it } from 'vitest'
import { classifyWait, describeSchedule, describeSpan, describeStepOutput, formatTimeToRecover, humanizeTimes } from './step-output'

const fmt = (iso: string) => `<${iso.slice(0, 16)}>`

describe('step output in words', () => {
  it('describes spans and schedules', () => {
    expect(describeSpan(120_000)).toBe('2 minutes')
    expect(describeSpan(93_600_000)).toBe('1 day 2 hours')
    expect(describeSpan(90, 's')).toBe('1 minute 30 seconds')
    expect(describeSchedule('P1D, PT12H')).toBe('after 1 day, then 12 hours')
    expect(describeSchedule('P1D, P1D')).toBe('after 1 day, then 1 day')
    expect(describeSchedule('P1D, soon')).toBeNull()
    expect(describeSchedule(' ')).toBeNull()
    expect(formatTimeToRecover(0)).toBe('under a second')
    expect(formatTimeToRecover(3 * 86_400 + 7200)).toBe('3 days 2 hours')
    expect(formatTimeToRecover(null)).toBe('—')
  })
  it('classifies waiting reasons and formats their times', () => {
    expect(classifyWait('quiet hours (21:00–08:00 UTC): sending at 08:00').kind).toBe('quiet_hours')
    expect(classifyWait('daily cap of 3 messages per customer reached: sending when it frees up').kind).toBe('daily_cap')
    expect(classifyWait('first payment retry (card_declined) at 2026-11-21T12:42:30.604Z').kind).toBe('payment_retry')
    expect(classifyWait('payment retry 2 of 3 at 2026-11-21T12:42:30.604Z').kind).toBe('payment_retry')
    expect(classifyWait('offer open until 2026-11-21T12:50:30.604Z').kind).toBe('offer')
    expect(classifyWait('wait P3D').kind).toBe('wait')
    expect(classifyWait('retry 2 of 5 after: SMTP 451').kind).toBe('error_retry')
    expect(classifyWait(null).kind).toBe('other')
    expect(humanizeTimes('offer open until 2026-11-21T12:50:30.604Z', fmt)).toBe('offer open until <2026-11-21T12:50>')
  })
  it('reads a pending retry, and each retry outcome', () => {
    const pending = describeStepOutput('retry_payment', 'running', { attempt: 1, schedule: [120_000, 300_000], next_at: Date.parse('2026-11-21T12:45:00Z'), last_attempt_at: 0, last_code: 'card_declined' }, fmt)
    expect(pending.rows).toEqual([
      { label: 'Retries made', value: '1 of 2' },
      { label: 'Schedule', value: 'after 2 minutes, then 5 minutes' },
      { label: 'Next retry', value: '<2026-11-21T12:45>' },
      { label: 'Last decline code', value: 'card_declined' },
    ])
    expect(describeStepOutput('retry_payment', 'completed', { outcome: 'succeeded', attempts: 2, trigger: 'attempt 2 of 3' }, fmt).rows[0]).toMatchObject({ tone: 'ok' })
    expect(describeStepOutput('retry_payment', 'completed', { outcome: 'exhausted', attempts: 3, last_code: 'insufficient_funds' }, fmt).rows[0]!.value).toContain('insufficient_funds')
    const hard = describeStepOutput('retry_payment', 'skipped', { decline: 'hard', code: 'stolen_card', reason: 'hard decline (stolen_card): …' }, fmt)
    expect(hard.rows).toEqual([{ label: 'Not retried', value: 'hard decline (stolen_card): ask the customer for a new card', tone: 'warn' }])
  })
  it('reads offer terms, status and a restructure schedule', () => {
    const out = describeStepOutput('offer', 'running', {
      offer: { kind: 'restructure', installments: 2, every: 'P30D', amount: 50_001, currency: 'USD', installment_plan_id: 'plan_1',
        schedule: [{ due_at: '2026-12-21T12:00:00Z', amount: 25_001 }, { due_at: '2027-01-20T12:00:00Z', amount: 25_000 }] },
      status: 'open', expires_at: '2026-11-28T12:00:00Z', note: 'Smaller steps',
    }, fmt)
    expect(out.rows).toEqual([
      { label: 'Offer', value: 'pay the balance in 2 installments, every 30 days' },
      { label: 'Amount', value: '$500.01' },
      { label: 'Offer status', value: 'open — waiting for the customer’s answer' },
      { label: 'Open until', value: '<2026-11-28T12:00>' },
      { label: 'Note', value: 'Smaller steps' },
    ])
    expect(out.schedule).toEqual({ currency: 'USD', items: [{ due_at: '2026-12-21T12:00:00Z', amount: 25_001 }, { due_at: '2027-01-20T12:00:00Z', amount: 25_000 }] })
    const ext = describeStepOutput('offer', 'completed', { offer: { kind: 'extend', days: 1, due_at: '2026-11-22T12:00:00Z', amount: 4900, currency: 'EUR' }, status: 'accepted', expires_at: '2026-11-28T12:00:00Z' }, fmt)
    expect(ext.rows.map((r) => r.value)).toEqual(['extend the due date by 1 day', '<2026-11-22T12:00>', '€49.00', 'accepted by the customer', '<2026-11-28T12:00>'])
    expect(ext.schedule).toBeUndefined()
  })
  it('reads held messages, deliveries and CRM updates; nothing for unknown shapes', () => {
    const held = describeStepOutput('send_email', 'pending', { deferred_until: '2026-11-22T08:00:00Z', reason: 'quiet hours (21:00–08:00 UTC): sending at 08:00' }, fmt)
    expect(held.rows.map((r) => r.label)).toEqual(['Held until', 'Why'])
    expect(describeStepOutput('send_email', 'completed', { delivery: 'outbox', to: 'a@example.com' }, fmt).rows).toHaveLength(2)
    expect(describeStepOutput('update_customer', 'completed', { added_tags: ['x'], set_fields: { a: 1 } }, fmt).rows).toEqual([
      { label: 'Tags added', value: 'x' }, { label: 'Fields set', value: 'a = 1' },
    ])
    expect(describeStepOutput('webhook', 'completed', 'text', fmt).rows).toEqual([])
    expect(describeStepOutput('custom', 'completed', { whatever: 1 }, fmt).rows).toEqual([])
  })
})
