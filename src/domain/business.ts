// Who the customer's messages and portal pages come from. Customers act on messages that look like
// they came from the business they pay, not from a tool they never heard of.

/** The business as messages show it (template data `business`, the email layout, portal pages). */
export interface Business {
  readonly name: string
  /** An https (or http) URL of the logo image for the email header. */
  readonly logo_url?: string
  /** The brand colour (`#rrggbb`) of buttons and accents. */
  readonly color: string
  /** The postal address in the email footer (anti-spam laws ask for one). */
  readonly address?: string
}

/** When nothing is configured. */
export const DEFAULT_BUSINESS: Business = Object.freeze({ name: 'Billing', color: '#1d4ed8' })

/** `#rgb` or `#rrggbb`. */
export const BRAND_COLOR = /^#(?:[0-9a-fA-F]{3}){1,2}$/

/** `#abc` → `#aabbcc`, lower case. */
export function normalizeColor(color: string): string {
  const hex = color.slice(1).toLowerCase()
  return hex.length === 3 ? `#${[...hex].map((c) => c + c).join('')}` : `#${hex}`
}

/** Text colour for a button of `background`: white unless the background is light (WCAG contrast). */
export function textOn(background: string): string {
  const hex = normalizeColor(background).slice(1)
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
  // Contrast with white is (1.05)/(L+0.05); with near-black #111 about (L+0.05)/0.0556.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.0556 ? '#ffffff' : '#111111'
}
