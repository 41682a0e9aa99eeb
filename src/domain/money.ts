import { z } from 'zod'

/** ISO 4217 code, upper case. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code in upper case, e.g. USD')

/** An amount in integer minor units (cents). */
export const minorUnitsSchema = z.number().int('must be an integer number of minor units (e.g. cents)').nonnegative()

/** Number of decimal places of a currency's minor unit (USD 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

/** Formats minor units for people: `formatMoney(4900, 'USD')` → `$49.00`; `locale` picks the style. */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const digits = minorDigits(currency)
  const major = amount / 10 ** digits
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(major)
  } catch {
    return `${major.toFixed(digits)} ${currency}`
  }
}
