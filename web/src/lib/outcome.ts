// How a run ended, in the words and colours billing staff read first: the money. The technical
// status (exited, completed, failed…) stays beside it, in grey.
import type { Run } from './types'

export type Outcome = 'recovered' | 'offer_accepted' | 'not_recovered' | 'canceled'
export const OUTCOMES: readonly Outcome[] = ['recovered', 'offer_accepted', 'not_recovered', 'canceled']

/** good: the money (or an agreement) came in; bad: it did not; neutral: stopped; live: still working on it. */
export type OutcomeTone = 'good' | 'bad' | 'neutral' | 'live'

export interface OutcomeView {
  /** `recovered`, …, or `in_progress` for a run that has not ended. */
  key: Outcome | 'in_progress'
  label: string
  tone: OutcomeTone
}

const VIEWS: Record<Outcome | 'in_progress', OutcomeView> = {
  recovered: { key: 'recovered', label: 'Recovered', tone: 'good' },
  offer_accepted: { key: 'offer_accepted', label: 'Offer accepted', tone: 'good' },
  not_recovered: { key: 'not_recovered', label: 'Not recovered', tone: 'bad' },
  canceled: { key: 'canceled', label: 'Canceled', tone: 'neutral' },
  in_progress: { key: 'in_progress', label: 'In progress', tone: 'live' },
}

/** Words for an outcome filter value. */
export const outcomeLabel = (o: Outcome): string => VIEWS[o].label

const LIVE = new Set(['running', 'waiting'])

/** The outcome of a run as people read it; older servers without `outcome` are judged by status. */
export function outcomeOf(run: Pick<Run, 'status' | 'outcome' | 'error'>): OutcomeView {
  if (LIVE.has(run.status)) return VIEWS.in_progress
  if (run.outcome && run.outcome in VIEWS) return VIEWS[run.outcome as Outcome]
  const reason = typeof run.error === 'string' ? run.error : ''
  if (run.status === 'canceled') return VIEWS.canceled
  if (run.status === 'exited' && reason.startsWith('goal met: payment.succeeded')) return VIEWS.recovered
  if (run.status === 'exited' && reason.startsWith('goal met: offer.accepted')) return VIEWS.offer_accepted
  return VIEWS.not_recovered
}

/** One sentence on how and why the run ended (the banner under the run's title); null while it runs. */
export function endingSentence(run: Pick<Run, 'status' | 'outcome' | 'error' | 'ended_by'>): string | null {
  if (LIVE.has(run.status)) return null
  const o = outcomeOf(run)
  const reason = typeof run.error === 'string' ? run.error : ''
  const marked = /marked as paid by (.+?)(?: \(event [^)]*\))?$/.exec(reason)
  const event = /\(event ([^)]+)\)/.exec(reason)?.[1]
  switch (o.key) {
    case 'recovered':
      if (marked) return `Marked as paid by ${marked[1]}.`
      return `The customer paid${event ? ` (event ${event})` : ''}. The recovery stopped by itself.`
    case 'offer_accepted':
      return `The customer accepted the offer${event ? ` (event ${event})` : ''}.`
    case 'canceled':
      if (reason.startsWith('canceled by request')) return `Canceled${reason.slice('canceled by request'.length)}.`
      if (reason.startsWith('canceled by ')) return `Canceled by ${reason.slice('canceled by '.length)}.`
      return reason ? `Canceled: ${reason}.` : 'Canceled.'
    default:
      if (run.status === 'failed') return `A step failed before the money came in: ${reason.replace(/^step "([^"]+)" failed: /, 'step “$1”: ')}`
      return reason ? `Ended without the money: ${reason}` : 'Every step ran; the payment was not recovered.'
  }
}
