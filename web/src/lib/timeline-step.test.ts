import { describe, expect, it } from 'vitest'
import { describeTimelineStep } from './timeline-step'
import type { RunStep } from './types'

const fmt = (iso: string) => `<${iso.slice(0, 16)}>`
const UNTIL = '2026-11-24T10:00:00.000Z'

/** Every place the view says "Waiting until": the step's waiting line and its output rows. */
function waitingMentions(view: ReturnType<typeof describeTimelineStep>): number {
  return (view.waiting ? 1 : 0) + view.described.rows.filter((r) => r.label === 'Waiting until').length
}

describe('timeline step view', () => {
  const sent: RunStep = { id: 'tell', type: 'send_email', status: 'completed', output: { delivery: 'outbox', to: 'a@example.com' } }
  const wait: RunStep = { id: 'give-it-time', type: 'wait', status: 'running', output: { until: Date.parse(UNTIL) } }
  const after: RunStep = { id: 'nudge', type: 'send_sms', status: 'pending' }

  it('says once when a waiting wait step wakes, with the run’s reason', () => {
    const view = describeTimelineStep({ steps: [sent, wait], index: 1, run: { status: 'waiting', waitingUntil: UNTIL, waitingReason: 'wait P3D' }, fmt })
    expect(waitingMentions(view)).toBe(1)
    expect(view.waiting).toEqual({ until: UNTIL, reason: 'wait P3D' })
    expect(view.described.rows).toEqual([])
  })
  it('takes the wake time from the step when the run has none', () => {
    const view = describeTimelineStep({ steps: [wait], index: 0, run: { status: 'running' }, fmt })
    expect(view.waiting).toEqual({ until: UNTIL, reason: null })
    expect(waitingMentions(view)).toBe(1)
  })
  it('keeps a retry’s rows and leaves out the reason they already explain', () => {
    const retry: RunStep = { id: 'smart-retry', type: 'retry_payment', status: 'running', output: { attempt: 0, schedule: [86_400_000], next_at: Date.parse(UNTIL) } }
    const view = describeTimelineStep({ steps: [retry], index: 0, run: { status: 'waiting', waitingUntil: UNTIL, waitingReason: 'first payment retry (card_declined) at 2026-11-24T10:00:00.000Z' }, fmt })
    expect(view.waiting).toEqual({ until: UNTIL, reason: null })
    expect(view.described.rows.map((r) => r.label)).toEqual(['Retries made', 'Schedule', 'Next retry'])
  })
  it('shows no waiting line for settled steps or steps behind the one in flight', () => {
    const run = { status: 'waiting', waitingUntil: UNTIL, waitingReason: 'wait P3D' }
    expect(describeTimelineStep({ steps: [sent, wait, after], index: 0, run, fmt }).waiting).toBeNull()
    expect(describeTimelineStep({ steps: [sent, wait, after], index: 2, run, fmt }).waiting).toBeNull()
    const done: RunStep = { ...wait, status: 'completed', output: { until: Date.parse(UNTIL), waited: 'P3D' } }
    const view = describeTimelineStep({ steps: [done], index: 0, run: { status: 'completed' }, fmt })
    expect(view.waiting).toBeNull()
    expect(view.described.rows).toEqual([{ label: 'Waited until', value: '<2026-11-24T10:00>' }])
  })
  it('shows nothing waiting once the run has ended', () => {
    const offer: RunStep = { id: 'offer', type: 'offer', status: 'running', output: { status: 'open', offer: { kind: 'extend', days: 7 }, expires_at: UNTIL } }
    const retry: RunStep = { id: 'smart-retry', type: 'retry_payment', status: 'skipped', output: { attempt: 1, schedule: [86_400_000, 86_400_000], next_at: Date.parse(UNTIL) } }
    for (const status of ['exited', 'canceled', 'completed']) {
      expect(describeTimelineStep({ steps: [wait], index: 0, run: { status, waitingUntil: UNTIL }, fmt }).waiting).toBeNull()
    }
    const closedOffer = describeTimelineStep({ steps: [{ ...offer, status: 'skipped' }], index: 0, run: { status: 'canceled' }, fmt })
    expect(closedOffer.described.rows.find((r) => r.label === 'Offer status')?.value).toBe('closed when the run ended')
    const acceptedOffer = describeTimelineStep({ steps: [{ ...offer, status: 'completed' }], index: 0, run: { status: 'exited' }, fmt })
    expect(acceptedOffer.described.rows.find((r) => r.label === 'Offer status')?.value).toBe('accepted by the customer')
    const stopped = describeTimelineStep({ steps: [retry], index: 0, run: { status: 'exited' }, fmt })
    expect(stopped.described.rows.map((r) => r.label)).not.toContain('Next retry')
    const skippedWait = describeTimelineStep({ steps: [{ ...wait, status: 'skipped', output: { until: Date.parse(UNTIL), skipped_by: 'Jane', skip_note: 'asked today' } }], index: 0, run: { status: 'running' }, fmt })
    expect(skippedWait.described.rows.map((r) => `${r.label}: ${r.value}`)).toEqual(['Was waiting until: <2026-11-24T10:00>', 'Skipped by: Jane', 'Why skipped: asked today'])
  })
})
