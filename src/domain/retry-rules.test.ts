import { describe, expect, it } from 'vitest'
import { budgetAllows, DEFAULT_RETRY_BUDGET, judgeDecline, VISA_CATEGORY_1 } from './retry-rules.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe('judgeDecline: the networks\' rules', () => {
  it('never retries when the issuer says so, whatever else it says', () => {
    expect(judgeDecline({ advice_code: 'do_not_try_again', decline_code: 'insufficient_funds' })).toMatchObject({ kind: 'never', reason: expect.stringContaining('do not try again') })
    expect(judgeDecline({ card_brand: 'mastercard', network_advice_code: '03', decline_code: 'generic_decline' })).toMatchObject({ kind: 'never', reason: expect.stringContaining('Mastercard MAC 03') })
    expect(judgeDecline({ card_brand: 'mastercard', network_advice_code: '21' })).toMatchObject({ kind: 'never', reason: expect.stringContaining('MAC 21') })
    for (const code of VISA_CATEGORY_1) {
      expect(judgeDecline({ card_brand: 'visa', network_decline_code: code }), code).toMatchObject({ kind: 'never', reason: expect.stringContaining(`Visa response ${code}, category 1`) })
    }
    for (const code of ['stolen_card', 'lost_card', 'fraudulent', 'pickup_card', 'do_not_try_again']) {
      expect(judgeDecline({ failure_code: 'card_declined', decline_code: code }), code).toMatchObject({ kind: 'never' })
    }
  })

  it('asks for new card data instead of retrying the same card', () => {
    expect(judgeDecline({ advice_code: 'confirm_card_data' })).toMatchObject({ kind: 'update_card' })
    expect(judgeDecline({ card_brand: 'mastercard', network_advice_code: '01' })).toMatchObject({ kind: 'update_card', reason: expect.stringContaining('MAC 01') })
    for (const code of ['54', '55', '82', 'N7']) expect(judgeDecline({ card_brand: 'visa', network_decline_code: code }), code).toMatchObject({ kind: 'update_card' })
    expect(judgeDecline({ decline_code: 'expired_card' })).toMatchObject({ kind: 'update_card' })
    expect(judgeDecline({ failure_code: 'incorrect_cvc' })).toMatchObject({ kind: 'update_card' })
  })

  it('waits as long as Mastercard MAC 24–30 say', () => {
    const waits: [string, number][] = [['24', HOUR], ['25', DAY], ['26', 2 * DAY], ['27', 4 * DAY], ['28', 6 * DAY], ['29', 8 * DAY], ['30', 10 * DAY]]
    for (const [mac, ms] of waits) expect(judgeDecline({ card_brand: 'mastercard', network_advice_code: mac, decline_code: 'insufficient_funds' }), mac).toMatchObject({ kind: 'wait', afterMs: ms })
  })

  it('lets soft declines be retried, and reads network codes by brand', () => {
    expect(judgeDecline({ decline_code: 'insufficient_funds', advice_code: 'try_again_later' })).toEqual({ kind: 'retry' })
    expect(judgeDecline({ card_brand: 'visa', network_decline_code: '51' })).toEqual({ kind: 'retry' })
    // A Visa response code on a Mastercard means nothing of Visa's categories.
    expect(judgeDecline({ card_brand: 'mastercard', network_decline_code: '04' })).toEqual({ kind: 'retry' })
    expect(judgeDecline({})).toEqual({ kind: 'retry' })
  })
})

describe('budgetAllows: attempts per card', () => {
  const now = Date.UTC(2026, 10, 27)
  it('stops at the 30-day budget, whoever made the attempts', () => {
    expect(budgetAllows({ attempts30Days: 14 }, DEFAULT_RETRY_BUDGET, now)).toEqual({ ok: true })
    expect(budgetAllows({ attempts30Days: 15 }, DEFAULT_RETRY_BUDGET, now)).toMatchObject({ ok: false, reason: expect.stringContaining('budget 15') })
    // A customer's own request does not lift the budget.
    expect(budgetAllows({ attempts30Days: 15 }, DEFAULT_RETRY_BUDGET, now, { customerAsked: true })).toMatchObject({ ok: false })
    expect(budgetAllows({ attempts30Days: 3 }, { ...DEFAULT_RETRY_BUDGET, perCard30Days: 3 }, now)).toMatchObject({ ok: false })
  })
  it('spaces Recoup\'s own attempts 24 hours apart unless the customer asked', () => {
    const last = now - 5 * HOUR
    expect(budgetAllows({ attempts30Days: 2, lastRecoupAttemptAt: last }, DEFAULT_RETRY_BUDGET, now)).toEqual({ ok: false, reason: expect.stringContaining('24 hours'), notBefore: last + DAY })
    expect(budgetAllows({ attempts30Days: 2, lastRecoupAttemptAt: last }, DEFAULT_RETRY_BUDGET, now, { customerAsked: true })).toEqual({ ok: true })
    expect(budgetAllows({ attempts30Days: 2, lastRecoupAttemptAt: now - DAY - 1 }, DEFAULT_RETRY_BUDGET, now)).toEqual({ ok: true })
  })
})
