import { z } from 'zod'
import { durationSchema, parseDuration } from '../domain/duration.js'
import { defineAction, WAITING_STEP_STATUS } from './action.js'

/** Pauses the run for an ISO 8601 duration; survives restarts because the due time is stored. */
export const wait = defineAction({
  type: 'wait',
  title: 'Wait',
  traits: { outside: false, customerMessage: false, readsRecords: false, continuesOnError: false },
  params: z.strictObject({ duration: durationSchema }),
  preview({ params }) {
    return { duration: params.duration }
  },
  async run({ params, state, now }) {
    const until = typeof state?.until === 'number' ? state.until : now + parseDuration(params.duration)!
    if (now < until) return { status: 'waiting', until, reason: `wait ${params.duration}`, output: { until } }
    return { status: 'completed', output: { until, waited: params.duration } }
  },
})

/**
 * Where a run that opens with `step` can be parked at once, without running it: a wait step's due
 * time and reason; null for any other step (or a zero wait). Ingest parks such runs as it creates them.
 */
export function openingWait(step: { readonly type: string; readonly [k: string]: unknown } | undefined, nowMs: number): { until: number; reason: string } | null {
  if (step?.type !== wait.type || typeof step.duration !== 'string') return null
  const ms = parseDuration(step.duration)
  return ms !== null && ms > 0 ? { until: nowMs + ms, reason: `wait ${step.duration}` } : null
}

/** The step result of a wait entered and still waiting until `until`: the state `run` reads back on re-entry. */
export function waitingStepResult(until: number, startedAt: string) {
  return { type: wait.type, status: WAITING_STEP_STATUS, attempts: 1, started_at: startedAt, finished_at: null, output: JSON.stringify({ until }), error: null }
}
