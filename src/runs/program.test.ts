import { describe, expect, it } from 'vitest'
import { compileProgram } from './program.js'

describe('compileProgram', () => {
  it('flattens branches with explicit successors', () => {
    const p = compileProgram([
      { id: 'a', type: 'wait' },
      { id: 'b', type: 'branch', if: [], then: [{ id: 't1', type: 'wait' }, { id: 't2', type: 'wait' }], else: [{ id: 'e1', type: 'wait' }] },
      { id: 'c', type: 'wait' },
    ])
    const byId = Object.fromEntries(p.nodes.map((n) => [n.step.id, n]))
    const idx = (id: string) => byId[id].index
    expect(p.start).toBe(0)
    expect(byId.a.next).toBe(idx('b'))
    expect(byId.b.then).toBe(idx('t1'))
    expect(byId.b.else).toBe(idx('e1'))
    expect(byId.t1.next).toBe(idx('t2'))
    expect(byId.t2.next).toBe(idx('c'))
    expect(byId.e1.next).toBe(idx('c'))
    expect(byId.c.next).toBeNull()
    expect(byId.b.thenIds).toEqual(['t1', 't2'])
    expect(byId.b.elseIds).toEqual(['e1'])
  })
  it('sends an empty arm straight to what follows the branch', () => {
    const p = compileProgram([{ id: 'b', type: 'branch', if: [], then: [{ id: 't', type: 'wait' }] }])
    expect(p.nodes[0].else).toBeNull()
    expect(p.nodes[1].next).toBeNull()
  })
})
