import { z } from 'zod'

/** ISO 4217 code, upper case. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code in upper case, e.g. USD')

/** An amount in integer minor units (cents). */
export const minorUnitsSchema = z.number().int('must be an integer number of minor units (e.g. cents)').nonnegative()

// Building an Intl.NumberFormat costs far more than using one; messages format money constantly.
const formats = new Map<string, Intl.NumberFormat | null>()

function currencyFormat(currency: string, locale: string): Intl.NumberFormat | null {
  const key = `${locale}|${currency}`
  let f = formats.get(key)
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency })
    } catch {
      f = null
    }
    if (formats.size > 1000) formats.clear()
    formats.set(key, f)
  }
  return f
}

/** Number of decimal places of a currency's minor unit (USD 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  return currencyFormat(currency, 'en')?.resolvedOptions().maximumFractionDigits ?? 2
}

/** Formats minor units for people: `formatMoney(4900, 'USD')` → `$49.00`; `locale` picks the style. */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const digits = minorDigits(currency)
  const major = amount / 10 ** digits
  return currencyFormat(currency, locale)?.format(major) ?? `${major.toFixed(digits)} ${currency}`
}
