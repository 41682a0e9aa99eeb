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
