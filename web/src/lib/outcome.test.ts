import { describe, expect, it } from 'vitest'
import { endingSentence, outcomeOf } from './outcome'

describe('run outcome', () => {
  it('names runs by money, good news green and bad news red', () => {
    expect(outcomeOf({ status: 'exited', outcome: 'recovered' })).toMatchObject({ label: 'Recovered', tone: 'good' })
    expect(outcomeOf({ status: 'exited', outcome: 'offer_accepted' })).toMatchObject({ label: 'Offer accepted', tone: 'good' })
    expect(outcomeOf({ status: 'completed', outcome: 'not_recovered' })).toMatchObject({ label: 'Not recovered', tone: 'bad' })
    expect(outcomeOf({ status: 'failed', outcome: 'not_recovered' })).toMatchObject({ label: 'Not recovered', tone: 'bad' })
    expect(outcomeOf({ status: 'canceled', outcome: 'canceled' })).toMatchObject({ label: 'Canceled', tone: 'neutral' })
    expect(outcomeOf({ status: 'waiting', outcome: null })).toMatchObject({ label: 'In progress', tone: 'live' })
  })
  it('judges runs from servers without outcomes by status and reason', () => {
    expect(outcomeOf({ status: 'exited', error: 'goal met: payment.succeeded (event evt_2)' }).key).toBe('recovered')
    expect(outcomeOf({ status: 'completed' }).key).toBe('not_recovered')
  })
  it('says how a run ended in one sentence', () => {
    expect(endingSentence({ status: 'exited', outcome: 'recovered', error: 'goal met: payment.succeeded (event evt_2)' })).toBe('The customer paid (event evt_2). The recovery stopped by itself.')
    expect(endingSentence({ status: 'exited', outcome: 'recovered', error: 'goal met: payment.succeeded — marked as paid by Jane (the admin API key): bank transfer (event paid_by_staff:run_1)' }))
      .toBe('Marked as paid by Jane (the admin API key): bank transfer.')
    expect(endingSentence({ status: 'canceled', outcome: 'canceled', error: 'canceled by Jane: closed account' })).toBe('Canceled by Jane: closed account.')
    expect(endingSentence({ status: 'failed', outcome: 'not_recovered', error: 'step "alert" failed: HTTP 404' })).toBe('A step failed before the money came in: step “alert”: HTTP 404')
    expect(endingSentence({ status: 'completed', outcome: 'not_recovered', error: null })).toBe('Every step ran; the payment was not recovered.')
    expect(endingSentence({ status: 'waiting' })).toBeNull()
  })
})
