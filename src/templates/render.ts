import { Liquid, type Template } from 'liquidjs'
import { formatMoney } from '../domain/money.js'

/** A Liquid engine with Recoup's filters. Parsed templates are cached by source text. */
export class TemplateRenderer {
  readonly #liquid: Liquid
  readonly #cache = new Map<string, Template[]>()

  constructor(options: { locale?: string } = {}) {
    const locale = options.locale ?? 'en-US'
    this.#liquid = new Liquid({ strictFilters: true, cache: false, ownPropertyOnly: true })
    // {{ payment.amount | money: payment.currency }} → $49.00 ; an optional locale: money: 'EUR', 'de-DE' → 49,00 €
    this.#liquid.registerFilter('money', (amount: unknown, currency: unknown, loc: unknown) =>
      typeof amount === 'number' ? formatMoney(amount, typeof currency === 'string' ? currency : 'USD', typeof loc === 'string' ? loc : locale) : '',
    )
    // {{ event.occurred_at | date }} → 21 Nov 2026 ; a style: 'long' / 'short' / 'iso'
    this.#liquid.registerFilter('date', (value: unknown, style: unknown) => formatDate(value, typeof style === 'string' ? style : 'medium', locale))
  }

  /** Parses (or fetches from cache) a template; throws a Liquid error on bad syntax. */
  parse(source: string): Template[] {
    let t = this.#cache.get(source)
    if (!t) {
      t = this.#liquid.parse(source)
      if (this.#cache.size > 5000) this.#cache.clear()
      this.#cache.set(source, t)
    }
    return t
  }

  /** Renders a template against data; a missing variable renders as empty. */
  render(source: string, data: object, options: { escapeHtml?: boolean } = {}): string {
    if (!source.includes('{')) return source
    const scope = options.escapeHtml ? escapeDeep(data) : data
    return this.#liquid.renderSync(this.parse(source), scope) as string
  }

  /** Every variable path a template reads from its scope (`[["customer","name"], …]`). */
  variables(source: string): (string | number)[][] {
    return this.#liquid.globalVariableSegmentsSync(this.parse(source)) as (string | number)[][]
  }
}

function formatDate(value: unknown, style: string, locale: string): string {
  if (typeof value !== 'string' && !(value instanceof Date)) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  if (style === 'iso') return d.toISOString()
  const dateStyle = style === 'long' || style === 'short' || style === 'full' ? style : 'medium'
  return new Intl.DateTimeFormat(locale, { dateStyle, timeZone: 'UTC' }).format(d)
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** HTML-escapes every string in the data, so values from customers cannot inject markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])
}

function escapeDeep(value: unknown): never {
  if (typeof value === 'string') return escapeHtml(value) as never
  if (Array.isArray(value)) return value.map(escapeDeep) as never
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = escapeDeep(v)
    return out as never
  }
  return value as never
}
