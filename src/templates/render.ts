import { Liquid, filters, type Context, type Template } from 'liquidjs'
import { PermanentError } from '../domain/errors.js'
import { canonicalLocale } from '../domain/locale.js'
import { formatMoney } from '../domain/money.js'

/** What one template may cost; Liquid enforces these (not the JavaScript that runs it). */
export interface TemplateLimits {
  /** Longest template source, in characters. */
  readonly parseLimit: number
  /** Longest one render may take, in ms: Liquid checks the clock before each tag and loop iteration. */
  readonly renderLimitMs: number
  /** Most characters and items one render may build (ranges, `append`, `join`, …). */
  readonly memoryLimit: number
}

/** Generous for any real message, small enough that a runaway loop is stopped before it hurts. */
export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = Object.freeze({ parseLimit: 100_000, renderLimitMs: 200, memoryLimit: 10_000_000 })

/**
 * A template that does not parse, or failed or was stopped while rendering. Trying again gives the
 * same result, so it is permanent: the step fails at once instead of being retried.
 */
export class TemplateError extends PermanentError {
  /** `limit` when a parse, time or memory limit stopped it (a runaway loop). */
  readonly reason: 'parse' | 'limit' | 'render'
  constructor(reason: TemplateError['reason'], message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.reason = reason
  }
}

/** What a filter sees as `this` (the part Recoup uses). */
interface FilterThis {
  readonly context: Context
}

// Liquid's own date filter (strftime), which Recoup's `date` hands every `%` format to.
const strftimeDate = filters.date as (this: FilterThis, value: unknown, format: string, zone?: number | string) => unknown

/** A Liquid engine with Recoup's filters and limits. Parsed templates are cached by source text. */
export class TemplateRenderer {
  readonly #liquid: Liquid
  readonly #limits: TemplateLimits
  readonly #cache = new Map<string, Template[]>()

  constructor(options: { locale?: string; limits?: Partial<TemplateLimits> } = {}) {
    const locale = options.locale ?? 'en-US'
    this.#limits = Object.freeze({ ...DEFAULT_TEMPLATE_LIMITS, ...options.limits })
    this.#liquid = new Liquid({
      strictFilters: true,
      cache: false,
      ownPropertyOnly: true,
      // strftime formats (`date: "%B %d, %Y"`) read times in UTC, like the named styles, whatever the host's zone.
      timezoneOffset: 0,
      parseLimit: this.#limits.parseLimit,
      renderLimit: this.#limits.renderLimitMs,
      memoryLimit: this.#limits.memoryLimit,
    })
    // {{ payment.amount | money }} → $49.00 in the payment's (or plan's) own currency; a currency
    // may be named: money: "EUR"; and a locale after it: money: "EUR", "de-DE" → 49,00 €. Without
    // one, in the customer's locale (customer.locale) when they have one.
    this.#liquid.registerFilter('money', function (this: FilterThis, amount: unknown, currency: unknown, loc: unknown) {
      if (typeof amount !== 'number') return ''
      const code = typeof currency === 'string' && currency !== '' ? currency : scopeCurrency(this)
      return formatMoney(amount, code, typeof loc === 'string' ? loc : (scopeLocale(this) ?? locale))
    })
    // {{ event.occurred_at | date }} → Nov 21, 2026 (in the customer's locale: 21.11.2026) ; a style: 'long' / 'short' / 'medium' / 'full' / 'iso' ;
    // any format with a % is Liquid's standard strftime: date: "%B %d, %Y" → November 21, 2026
    this.#liquid.registerFilter('date', function (this: FilterThis, value: unknown, style: unknown, zone: unknown) {
      if (typeof style === 'string' && style.includes('%')) {
        return strftimeDate.call(this, value, style, typeof zone === 'string' || typeof zone === 'number' ? zone : undefined)
      }
      return formatDate(value, typeof style === 'string' ? style : 'medium', scopeLocale(this) ?? locale)
    })
  }

  /** The limits this renderer enforces. */
  get limits(): TemplateLimits {
    return this.#limits
  }

  /** Parses (or fetches from cache) a template; throws a TemplateError on bad syntax or a source too long. */
  parse(source: string): Template[] {
    let t = this.#cache.get(source)
    if (!t) {
      try {
        t = this.#liquid.parse(source)
      } catch (err) {
        throw this.#explain(err, 'parse')
      }
      if (this.#cache.size > 5000) this.#cache.clear()
      this.#cache.set(source, t)
    }
    return t
  }

  /**
   * Renders a template against data; a missing variable renders as empty. Throws a TemplateError
   * when it fails or runs past a limit (`renderLimitMs` may lower the time limit for this call).
   */
  render(source: string, data: object, options: { escapeHtml?: boolean; renderLimitMs?: number } = {}): string {
    if (!source.includes('{')) return source
    const scope = options.escapeHtml ? escapeDeep(data) : data
    const templates = this.parse(source)
    try {
      const renderLimit = options.renderLimitMs === undefined ? undefined : Math.min(options.renderLimitMs, this.#limits.renderLimitMs)
      return this.#liquid.renderSync(templates, scope, renderLimit === undefined ? undefined : { renderLimit }) as string
    } catch (err) {
      throw this.#explain(err, 'render')
    }
  }

  /** Every variable path a template reads from its scope (`[["customer","name"], …]`). */
  variables(source: string): (string | number)[][] {
    return this.#liquid.globalVariableSegmentsSync(this.parse(source)) as (string | number)[][]
  }

  #explain(err: unknown, stage: 'parse' | 'render'): TemplateError {
    if (err instanceof TemplateError) return err
    const text = err instanceof Error ? err.message : String(err)
    const first = text.split('\n')[0]!
    if (text.includes('parse length limit exceeded')) {
      return new TemplateError('limit', `template is longer than ${this.#limits.parseLimit} characters`, { cause: err })
    }
    if (text.includes('template render limit exceeded')) {
      return new TemplateError('limit', `template stopped: it ran longer than ${this.#limits.renderLimitMs} ms (a loop that runs too long?)`, { cause: err })
    }
    if (text.includes('memory alloc limit exceeded')) {
      return new TemplateError('limit', `template stopped: it built more than ${this.#limits.memoryLimit} characters or items (a range or loop too large?)`, { cause: err })
    }
    return stage === 'parse'
      ? new TemplateError('parse', `template does not parse: ${first}`, { cause: err })
      : new TemplateError('render', `template failed to render: ${first}`, { cause: err })
  }
}

/** The currency of the run's payment, else of its installment plan, else USD. */
function scopeCurrency(filter: FilterThis): string {
  for (const path of [['payment', 'currency'], ['installment_plan', 'currency']]) {
    const value = filter.context.getSync(path)
    if (typeof value === 'string' && value !== '') return value
  }
  return 'USD'
}

/** The customer's locale (`customer.locale`) when the data has a valid one. */
function scopeLocale(filter: FilterThis): string | undefined {
  const value = filter.context.getSync(['customer', 'locale'])
  return typeof value === 'string' && value !== '' ? canonicalLocale(value) : undefined
}

const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>()

function formatDate(value: unknown, style: string, locale: string): string {
  if (typeof value !== 'string' && !(value instanceof Date)) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  if (style === 'iso') return d.toISOString()
  const dateStyle = style === 'long' || style === 'short' || style === 'full' ? style : 'medium'
  // Building an Intl.DateTimeFormat costs far more than formatting with one (a tenth of the
  // engine's CPU in a burst of emails): keep one per locale and style.
  const key = `${locale}|${dateStyle}`
  let format = DATE_FORMATS.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle, timeZone: 'UTC' })
    if (DATE_FORMATS.size >= 500) DATE_FORMATS.clear()
    DATE_FORMATS.set(key, format)
  }
  return format.format(d)
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
