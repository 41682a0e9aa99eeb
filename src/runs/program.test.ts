import { describe, expect, it } from 'vitest'
import { compileProgram, enterArm } from './program.js'

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
    expect(byId.b.arms?.then.start).toBe(idx('t1'))
    expect(byId.b.arms?.else.start).toBe(idx('e1'))
    expect(byId.t1.next).toBe(idx('t2'))
    expect(byId.t2.next).toBe(idx('c'))
    expect(byId.e1.next).toBe(idx('c'))
    expect(byId.c.next).toBeNull()
    expect(byId.b.arms?.then.ids).toEqual(['t1', 't2'])
    expect(byId.b.arms?.else.ids).toEqual(['e1'])
    expect(byId.a.arms).toBeUndefined()
  })
  it('sends an empty arm straight to what follows the branch', () => {
    const p = compileProgram([{ id: 'b', type: 'branch', if: [], then: [{ id: 't', type: 'wait' }] }])
    expect(p.nodes[0].arms?.else.start).toBeNull()
    expect(p.nodes[1].next).toBeNull()
  })
  it('entering an arm skips the steps of the others, nested ones included', () => {
    const p = compileProgram([
      { id: 'b', type: 'branch', if: [], then: [{ id: 't', type: 'wait' }], else: [{ id: 'inner', type: 'branch', if: [], then: [{ id: 'x', type: 'wait' }] }] },
    ])
    const went = enterArm(p, p.nodes[0], 'then')
    expect(went.cursor).toBe(1)
    expect(went.skip.map((n) => n.step.id)).toEqual(['inner', 'x'])
  })
})
