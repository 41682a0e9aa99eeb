import { z } from 'zod'
import { durationSchema, parseDuration } from '../domain/duration.js'
import { defineAction } from './action.js'

/** Pauses the run for an ISO 8601 duration; survives restarts because the due time is stored. */
export const wait = defineAction({
  type: 'wait',
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
