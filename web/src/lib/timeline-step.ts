// What the run timeline shows for one step: its output in words and, for the step in flight,
// one "Waiting until" line. Pure, so the page only renders it and the choice is unit-tested.
import { describeStepOutput, humanizeTimes, WAITING_LABEL, type DescribedOutput, type TimeFormat } from './step-output'
import type { RunStep } from './types'

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

export interface TimelineStepView {
  described: DescribedOutput
  /** When the step in flight wakes, and the run's reason when no output row explains it; null when not waiting. */
  waiting: { until: string; reason: string | null } | null
}

/** When a step will wake, wherever the server puts it. */
function stepWakeTime(s: RunStep): string | null {
  const out = isObj(s.output) ? s.output : {}
  const v = s.wait_until ?? s.next_attempt_at ?? out.until ?? out.wait_until ?? out.resume_at
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString()
  return typeof v === 'string' ? v : null
}

/** Decides what the timeline shows for `steps[index]` of a run in `run.status`. */
export function describeTimelineStep(opts: {
  steps: readonly RunStep[]
  index: number
  run: { status: string; waitingUntil?: string | null; waitingReason?: string | null }
  fmt: TimeFormat
}): TimelineStepView {
  const { steps, index, run, fmt } = opts
  const s = steps[index]!
  const settled = (x: RunStep) => x.status === 'completed' || x.status === 'skipped'
  // The run's own waiting_until belongs to the step in flight (a wait, or a retry after an error).
  // Nothing is in flight once the run has ended (an older server may leave a step "running").
  const ended = run.status !== 'running' && run.status !== 'waiting'
  const inFlight = !ended && (s.status === 'running'
    || (run.status === 'waiting' && !settled(s) && s.status !== 'failed' && index === steps.findIndex((x) => !settled(x))))
  const described = describeStepOutput(s.type, s.status, s.output, fmt)
  const until = inFlight ? (run.waitingUntil ?? null) ?? stepWakeTime(s) : null
  if (!until) return { described, waiting: null }
  // The wake time is said once, on the waiting line: a wait step's own "Waiting until" row would repeat it.
  const rows = described.rows.filter((r) => r.label !== WAITING_LABEL)
  const reason = run.waitingReason && rows.length === 0 ? humanizeTimes(run.waitingReason, fmt) : null
  return { described: { ...described, rows }, waiting: { until, reason } }
}
