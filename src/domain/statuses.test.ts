import { describe, expect, it } from 'vitest'
import { API_STEP_STATUSES, apiStepStatus, isOneOf, NOT_STARTED_STEP_STATUSES, RUN_STATUSES, STEP_STATUSES } from './statuses.js'

describe('apiStepStatus', () => {
  it('shows every stored step state as a documented one', () => {
    for (const s of STEP_STATUSES) expect(API_STEP_STATUSES).toContain(apiStepStatus(s))
  })

  it('shows a waiting step as running, and steps not run yet as pending', () => {
    expect(apiStepStatus('waiting')).toBe('running')
    for (const s of ['pending', 'deferred', 'retrying', 'queued'] as const) expect(apiStepStatus(s)).toBe('pending')
    for (const s of ['completed', 'failed', 'skipped'] as const) expect(apiStepStatus(s)).toBe(s)
  })

  it('settles only steps that have not started (a queued alert is sent after the run ends)', () => {
    expect(NOT_STARTED_STEP_STATUSES).not.toContain('queued')
    expect(NOT_STARTED_STEP_STATUSES).not.toContain('waiting')
  })
})

describe('isOneOf', () => {
  it('knows the documented run statuses and nothing else', () => {
    expect(isOneOf(RUN_STATUSES, 'waiting')).toBe(true)
    expect(isOneOf(RUN_STATUSES, 'pending')).toBe(false)
    expect(isOneOf(RUN_STATUSES, 42)).toBe(false)
  })
})
