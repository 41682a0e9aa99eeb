import { describe, expect, it } from 'vitest'
import { NotFoundError, ValidationError } from '../domain/errors.js'
import { problem, toProblem } from './problem.js'

describe('problem', () => {
  it('builds an RFC 9457 document with the status title and the code as type', () => {
    expect(problem(403, 'invalid_signature', 'The signature does not match.')).toEqual({
      type: '/problems/invalid_signature', title: 'Forbidden', status: 403, detail: 'The signature does not match.',
    })
  })

  it('lists the fields at fault when given them', () => {
    expect(problem(422, 'validation_failed', 'Bad input', [{ path: 'customer.phone', message: 'must be E.164' }]).errors).toEqual([
      { path: 'customer.phone', message: 'must be E.164' },
    ])
  })
})

describe('toProblem', () => {
  it('turns a validation error into a 422 naming each field', () => {
    const p = toProblem(new ValidationError('Customer is invalid', [{ path: 'phone', message: 'must be an E.164 phone number such as +15555550100' }]))
    expect(p).toMatchObject({ status: 422, errors: [{ path: 'phone' }] })
  })

  it('turns a missing record into a 404 and anything unknown into a 500 that leaks nothing', () => {
    expect(toProblem(new NotFoundError('Run', 'run_1')).status).toBe(404)
    expect(toProblem(new Error('secret detail'))).toMatchObject({ status: 500, detail: expect.not.stringContaining('secret') })
  })
})
