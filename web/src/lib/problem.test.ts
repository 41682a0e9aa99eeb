import { describe, expect, it } from 'vitest'
import { asProblem, fieldId, normalizePath, pathAncestors, placeErrors } from './problem'

describe('problem paths', () => {
  it('normalizes the usual spellings', () => {
    expect(normalizePath('steps[2].subject')).toBe('steps[2].subject')
    expect(normalizePath('steps.2.subject')).toBe('steps[2].subject')
    expect(normalizePath('/steps/2/subject')).toBe('steps[2].subject')
    expect(normalizePath('trigger.products.0')).toBe('trigger.products[0]')
    expect(normalizePath('body.name')).toBe('name')
  })
  it('lists ancestors longest first', () => {
    expect(pathAncestors('steps[3].then[0].body')).toEqual(['steps[3].then[0].body', 'steps[3].then[0]', 'steps[3].then', 'steps[3]', 'steps'])
  })
  it('places each error on the nearest rendered field', () => {
    const placed = placeErrors(
      [
        { path: 'steps[2].subject', message: 'required' },
        { path: 'trigger.products[0]', message: 'unknown product prod_x' },
        { path: 'steps[1].add_tags[0]', message: 'too long' },
        { path: 'exit_on', message: 'bad' },
      ],
      ['steps[2].subject', 'trigger.products', 'steps[1].add_tags', 'steps[1]'],
    )
    expect(placed.byField.get('steps[2].subject')).toEqual(['required'])
    expect(placed.byField.get('trigger.products')).toEqual(['unknown product prod_x'])
    expect(placed.byField.get('steps[1].add_tags')).toEqual(['too long'])
    expect(placed.unplaced).toEqual([{ path: 'exit_on', message: 'bad' }])
  })
  it('makes DOM ids from paths', () => {
    expect(fieldId('steps[2].subject')).toBe('field-steps-2-subject')
  })
  it('reads problem bodies defensively', () => {
    expect(asProblem({ title: 'Invalid', status: 422, errors: [{ path: ['steps', 0, 'body'], message: 'x' }, 'junk'] })).toEqual({
      type: undefined, title: 'Invalid', status: 422, detail: undefined, errors: [{ path: 'steps.0.body', message: 'x' }],
    })
    expect(asProblem('nope')).toBeNull()
  })
})
