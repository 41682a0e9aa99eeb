/** Number of decimal places of a currency's minor unit (USD 2, JPY 0, KWD 3); 2 when unknown. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

/** Formats integer minor units for people: `formatMoney(4900, 'USD')` → `$49.00`. Tolerates missing input. */
export function formatMoney(amount: number | null | undefined, currency: string | null | undefined, locale = 'en-US'): string {
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return '—'
  const code = (currency ?? '').toUpperCase()
  if (!/^[A-Z]{3}$/.test(code)) return new Intl.NumberFormat(locale).format(amount)
  const digits = minorDigits(code)
  const major = amount / 10 ** digits
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: code }).format(major)
  } catch {
    return `${major.toFixed(digits)} ${code}`
  }
}

/** Compact money for chart axes: `$1.2M`. */
export function formatMoneyCompact(amount: number, currency: string | null | undefined, locale = 'en-US'): string {
  const code = (currency ?? '').toUpperCase()
  const digits = /^[A-Z]{3}$/.test(code) ? minorDigits(code) : 0
  const major = amount / 10 ** digits
  try {
    if (!/^[A-Z]{3}$/.test(code)) throw new Error('no currency')
    return new Intl.NumberFormat(locale, { style: 'currency', currency: code, notation: 'compact', maximumFractionDigits: 1 }).format(major)
  } catch {
    return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(major)
  }
}

/** Formats a 0..1 rate as a percentage; `—` when missing. */
export function formatRate(rate: number | null | undefined): string {
  if (typeof rate !== 'number' || !Number.isFinite(rate)) return '—'
  return `${(rate * 100).toFixed(rate >= 0.1 || rate === 0 ? 0 : 1)}%`
}

/**
 * Reads an amount people typed in a currency ("$10", "10.50", "1,234.5", "10 €") as integer minor
 * units: `parseMoney('10.00', 'USD')` → 1000. Returns an error in words when it is not an amount
 * (a negative number, more decimals than the currency has, letters).
 */
export function parseMoney(text: string, currency: string): { minor: number } | { error: string } {
  const code = currency.toUpperCase()
  const digits = /^[A-Z]{3}$/.test(code) ? minorDigits(code) : 2
  // A currency sign or code may stand before or after the number ("$10", "10 €", "USD 10", "US$10").
  const cleaned = text.trim().replace(/[\s\u00a0]/g, '').replace(/^[A-Za-z]{0,3}[^\w.,-]{0,3}/, '').replace(/[^\w.,-]{0,3}[A-Za-z]{0,3}$/, '')
  if (cleaned === '') return { error: 'Type an amount, such as 10.00' }
  if (cleaned.startsWith('-')) return { error: 'The amount cannot be negative' }
  // "1,234.56" and "1234.56"; a lone comma with 1-2 digits after it is a decimal comma ("10,50").
  const decimalComma = /^\d+,\d{1,3}$/.test(cleaned) && !/^\d{1,3},\d{3}$/.test(cleaned)
  const normal = decimalComma ? cleaned.replace(',', '.') : cleaned.replace(/,(?=\d{3}(\D|$))/g, '')
  const m = /^(\d+)(?:\.(\d*))?$/.exec(normal)
  if (!m) return { error: `“${text.trim()}” is not an amount; type a number such as 10.00` }
  const fraction = m[2] ?? ''
  if (fraction.length > digits) return { error: digits === 0 ? `${code} has no cents; type a whole number` : `${code} has ${digits} decimal places at most` }
  const minor = Number(m[1]) * 10 ** digits + Number((fraction + '0'.repeat(digits)).slice(0, digits) || '0')
  if (!Number.isSafeInteger(minor)) return { error: 'That amount is too large' }
  return { minor }
}

/** Minor units as people type them back into a field: 1000 USD → "10.00". */
export function minorToInput(minor: number, currency: string): string {
  const digits = /^[A-Z]{3}$/i.test(currency) ? minorDigits(currency.toUpperCase()) : 2
  return (minor / 10 ** digits).toFixed(digits)
}
