import { describe, expect, it } from 'vitest'
import { ACTIONS, allSteps, armsOf, continuesOnError, STEP_TYPES, traitsOf } from './registry.js'

describe('step registry traits', () => {
  it('declares every step type once, branch included, each with a title and traits', () => {
    expect(STEP_TYPES).toContain('branch')
    expect(new Set(STEP_TYPES).size).toBe(STEP_TYPES.length)
    for (const a of ACTIONS.values()) {
      expect(a.title, a.type).not.toBe('')
      expect(typeof a.traits.customerMessage, a.type).toBe('boolean')
    }
  })

  it('marks customer messages (quiet hours, daily cap) and nothing else', () => {
    expect(STEP_TYPES.filter((t) => traitsOf(t).customerMessage)).toEqual(['send_email', 'send_sms'])
  })

  it('assumes the worst of a type no action declares: reads records, touches the outside, fails the run', () => {
    expect(traitsOf('send_fax')).toMatchObject({ readsRecords: true, outside: true, continuesOnError: false })
  })

  it('lets team alerts fail without stopping the run unless the step says otherwise', () => {
    expect(continuesOnError({ type: 'notify_team' })).toBe(true)
    expect(continuesOnError({ type: 'notify_team', on_error: 'fail' })).toBe(false)
    expect(continuesOnError({ type: 'send_email' })).toBe(false)
    expect(continuesOnError({ type: 'send_email', on_error: 'continue' })).toBe(true)
  })

  it('finds nested steps through the arms a type declares, not through its name', () => {
    const steps = [
      { id: 'b', type: 'branch', if: [], then: [{ id: 't', type: 'wait' }], else: [{ id: 'e', type: 'branch', if: [], then: [{ id: 'x', type: 'wait' }] }] },
      // `then` on a type without arms is just a field.
      { id: 'w', type: 'wait', then: [{ id: 'no', type: 'wait' }] },
    ]
    expect(armsOf(steps[0]!).map((a) => a.name)).toEqual(['then', 'else'])
    expect(armsOf(steps[1]!)).toEqual([])
    expect(allSteps(steps).map((s) => s.id)).toEqual(['b', 't', 'e', 'x', 'w'])
  })
})
