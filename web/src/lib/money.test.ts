import { describe, expect, it } from 'vitest'
import { formatMoney, formatMoneyCompact, formatRate, minorDigits } from './money'

describe('money', () => {
  it('knows each currency minor digits', () => {
    expect(minorDigits('USD')).toBe(2)
    expect(minorDigits('JPY')).toBe(0)
    expect(minorDigits('KWD')).toBe(3)
  })
  it('formats minor units in the currency', () => {
    expect(formatMoney(4900, 'USD')).toBe('$49.00')
    expect(formatMoney(4900, 'JPY')).toBe('¥4,900')
    expect(formatMoney(1234, 'KWD')).toBe('KWD\u00a01.234')
    expect(formatMoney(123456789012, 'EUR')).toBe('€1,234,567,890.12')
  })
  it('tolerates missing amounts and currencies', () => {
    expect(formatMoney(undefined, 'USD')).toBe('—')
    expect(formatMoney(4900, undefined)).toBe('4,900')
    expect(formatMoney(4900, 'usd')).toBe('$49.00')
  })
  it('formats compact amounts and rates', () => {
    expect(formatMoneyCompact(120000000, 'USD')).toBe('$1.2M')
    expect(formatRate(0.4567)).toBe('46%')
    expect(formatRate(0.045)).toBe('4.5%')
    expect(formatRate(undefined)).toBe('—')
  })
})
