import { describe, expect, it } from 'vitest'
import { formatMoney, formatMoneyCompact, formatRate, minorDigits, minorToInput, parseMoney } from './money'

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
  it('reads amounts people type as minor units', () => {
    expect(parseMoney('$10.00', 'USD')).toEqual({ minor: 1000 })
    expect(parseMoney('10', 'USD')).toEqual({ minor: 1000 })
    expect(parseMoney(' 1,234.5 ', 'USD')).toEqual({ minor: 123450 })
    expect(parseMoney('10,50 €', 'EUR')).toEqual({ minor: 1050 })
    expect(parseMoney('0.07', 'USD')).toEqual({ minor: 7 })
    expect(parseMoney('4900', 'JPY')).toEqual({ minor: 4900 })
    expect(parseMoney('1.234', 'KWD')).toEqual({ minor: 1234 })
  })
  it('says what is wrong with an amount', () => {
    expect(parseMoney('', 'USD')).toEqual({ error: 'Type an amount, such as 10.00' })
    expect(parseMoney('-5', 'USD')).toEqual({ error: 'The amount cannot be negative' })
    expect(parseMoney('10.001', 'USD')).toEqual({ error: 'USD has 2 decimal places at most' })
    expect(parseMoney('10.5', 'JPY')).toEqual({ error: 'JPY has no cents; type a whole number' })
    expect('error' in parseMoney('ten', 'USD')).toBe(true)
    expect('error' in parseMoney('10 dollars and change', 'USD')).toBe(true)
    expect(parseMoney('USD 12', 'USD')).toEqual({ minor: 1200 })
    expect(parseMoney('US$12', 'USD')).toEqual({ minor: 1200 })
  })
  it('writes minor units back as people type them', () => {
    expect(minorToInput(1000, 'USD')).toBe('10.00')
    expect(minorToInput(4900, 'JPY')).toBe('4900')
  })
})
