import { describe, expect, it } from 'vitest'
import { activationProblems, pathInWords, typedProblems } from './draft-checks'
import { emptyDraft, newStep, type StepDraft, type WorkflowDraft } from './workflow-draft'

const step = (type: string, patch: Partial<StepDraft>): StepDraft => ({ ...newStep(type, new Set()), ...patch })

describe('checks as people type', () => {
  const draft = (steps: StepDraft[]): WorkflowDraft => ({ ...emptyDraft(), steps })
  it('checks typed addresses, phones and web addresses, not templates', () => {
    const d = draft([
      step('notify_team', { id: 'alert', channel: 'email', to: 'finance at acme' }),
      step('send_sms', { id: 'text', to: '555 0100' }),
      step('webhook', { id: 'crm', url: 'crm.acme.com/hook' }),
      step('send_email', { id: 'mail', to: '{{ customer.email }}' }),
    ])
    expect(typedProblems(d).map((p) => p.path)).toEqual(['steps[0].to', 'steps[1].to', 'steps[2].url'])
    expect(typedProblems(d)[1]!.message).toContain('+15555550100')
    expect(typedProblems(draft([step('notify_team', { channel: 'email', to: 'a@acme.com, b@acme.com' })]))).toEqual([])
  })
  it('keeps example addresses from going live', () => {
    const d = draft([step('notify_team', { id: 'alert-finance', channel: 'email', to: 'finance@example.com' })])
    expect(activationProblems(d)).toEqual([{ path: 'steps[0].to', message: 'finance@example.com is the template’s example address. Replace it with your team’s address before activating.' }])
    expect(typedProblems(d)).toEqual([])
  })
  it('names fields in words', () => {
    const d = draft([step('notify_team', { id: 'alert-finance' }), step('branch', { id: 'big', then: [step('send_sms', { id: 'text' })] })])
    expect(pathInWords('steps[0].to', d)).toBe('Step 1 (alert-finance): to')
    expect(pathInWords('steps[1].then[0].body', d)).toBe('Step 2 (big), step 1 (text): body')
    expect(pathInWords('trigger.conditions[0].value', d)).toBe('Condition 1: value')
    expect(pathInWords('name', d)).toBe('Name')
  })
})
