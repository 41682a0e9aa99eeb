import { describe, expect, it } from 'vitest'
import { summarizeChanges } from './version-diff'

const v1 = {
  name: 'A', status: 'draft', trigger: { type: 'payment.failed', products: ['p1'], conditions: [] },
  steps: [{ id: 'a', type: 'send_email', subject: 's' }, { id: 'b', type: 'wait', duration: 'P1D' }],
}

describe('summarizeChanges', () => {
  it('names each change', () => {
    const v2 = {
      ...v1, status: 'active', trigger: { ...v1.trigger, products: ['*'] },
      steps: [{ id: 'b', type: 'wait', duration: 'P2D' }, { id: 'a', type: 'send_email', subject: 's' }, { id: 'c', type: 'retry_payment' }],
    }
    expect(summarizeChanges(v1, v2)).toEqual([
      'Status draft → active', 'Products → any product', 'Edited step b', 'Added step c (retry_payment)', 'Reordered steps',
    ])
  })
  it('says when nothing changed and when a step went away', () => {
    expect(summarizeChanges(v1, v1)).toEqual(['No change to the definition'])
    expect(summarizeChanges(v1, { ...v1, steps: [v1.steps[0]] })).toEqual(['Removed step b'])
  })
})
