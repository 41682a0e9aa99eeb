import { describe, expect, it } from 'vitest'
import { declineData, declineKind, declineReason } from './decline-kind.js'

describe('decline kind', () => {
  it('tells the four things a customer can do from the codes, the issuer’s decline code first', () => {
    expect(declineKind({ failure_code: 'insufficient_funds' })).toBe('insufficient_funds')
    expect(declineKind({ failure_code: 'card_declined', decline_code: 'insufficient_funds' })).toBe('insufficient_funds')
    expect(declineKind({ failure_code: 'expired_card' })).toBe('card_replaced')
    expect(declineKind({ failure_code: 'card_declined', decline_code: 'lost_card' })).toBe('card_replaced')
    expect(declineKind({ failure_code: 'card_declined', advice_code: 'confirm_card_data' })).toBe('card_replaced')
    expect(declineKind({ failure_code: 'authentication_required' })).toBe('needs_approval')
    expect(declineKind({ failure_code: 'card_declined', decline_code: 'authentication_required' })).toBe('needs_approval')
    expect(declineKind({ failure_code: 'card_declined', decline_code: 'do_not_honor' })).toBe('other')
    expect(declineKind({})).toBe('other')
  })
  it('names the most specific reason, and gives nothing for runs without a payment', () => {
    expect(declineReason({ failure_code: 'card_declined', decline_code: 'insufficient_funds' })).toBe('insufficient_funds')
    expect(declineReason({ failure_code: 'card_declined' })).toBe('card_declined')
    expect(declineReason({})).toBeNull()
    expect(declineData(undefined)).toBeUndefined()
    expect(declineData({ failure_code: 'expired_card' })).toEqual({ reason: 'expired_card', kind: 'card_replaced' })
  })
})
