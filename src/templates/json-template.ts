// A JSON document whose strings are templates. Rendering fills in each string on its own and puts
// the result back as a string value, so nothing in the data (a customer named `x","admin":true`)
// can add fields or break the JSON: the shape is the one the user saved.
import { z } from 'zod'
import { PermanentError } from '../domain/errors.js'

/** A JSON value; in a template, every string is a Liquid template. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/** A JSON object or array whose strings are templates. */
export type JsonTemplate = readonly JsonValue[] | { readonly [key: string]: JsonValue }

const MAX_DEPTH = 32

/**
 * A JSON body as a step saves it: an object or array whose strings are templates (the safe form),
 * or, for compatibility, one template string that must render to JSON. At most `maxChars` as JSON
 * text and 32 levels deep (checked before anything recurses into it).
 */
export function jsonBodySchema(maxChars: number): z.ZodType<string | JsonTemplate> {
  return z.custom<string | JsonTemplate>().superRefine((value, ctx) => {
    const problem = bodyProblem(value, maxChars)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })
}

function bodyProblem(value: unknown, maxChars: number): string | undefined {
  if (typeof value === 'string') return value.length > maxChars ? `must be at most ${maxChars} characters` : undefined
  if (value === null || typeof value !== 'object') {
    return 'must be a JSON object or array whose strings are templates (or one template string that renders to JSON)'
  }
  if (!isJson(value, 0)) return `must be JSON (strings, numbers, booleans, null, arrays, objects) nested at most ${MAX_DEPTH} levels deep`
  if (JSON.stringify(value).length > maxChars) return `must be at most ${maxChars} characters as JSON`
  return undefined
}

function isJson(value: unknown, level: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (typeof value !== 'object' || level >= MAX_DEPTH) return false
  if (Array.isArray(value)) return value.every((v) => isJson(v, level + 1))
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return false
  return Object.values(value).every((v) => isJson(v, level + 1))
}

/**
 * The JSON text of a body: an object or array rendered string by string. A template string that is
 * JSON already (templates only inside its strings) is rendered the same way, so it is as safe;
 * any other template string is rendered whole and must then parse, else a PermanentError says so
 * (send nothing).
 */
export function renderJsonBody(body: string | JsonTemplate, render: (template: string) => string): string {
  const shape = typeof body === 'string' ? jsonShape(body) : body
  if (shape !== undefined) return JSON.stringify(renderJsonTemplate(shape, render))
  const text = render(body as string)
  assertJsonText(text)
  return text
}

/** Throws a PermanentError, saying to use an object body, when rendered text is not JSON. */
export function assertJsonText(text: string): void {
  try {
    JSON.parse(text)
  } catch (err) {
    throw new PermanentError(
      `the body is not valid JSON once rendered (${(err as Error).message}); ` +
        'give "body" as a JSON object instead: each string in it is a template and stays a string whatever the data holds',
      { cause: err },
    )
  }
}

/** The object or array a template string already is as JSON (then rendered string by string), or undefined. */
export function jsonShape(source: string): JsonTemplate | undefined {
  try {
    const value: unknown = JSON.parse(source)
    return value !== null && typeof value === 'object' && isJson(value, 0) ? (value as JsonTemplate) : undefined
  } catch {
    return undefined
  }
}

/** Renders every string in `value` with `render`; numbers, booleans, null and the structure stay as saved. */
export function renderJsonTemplate(value: JsonValue, render: (template: string) => string): JsonValue {
  if (typeof value === 'string') return render(value)
  if (Array.isArray(value)) return value.map((v: JsonValue) => renderJsonTemplate(v, render))
  // fromEntries defines own properties, so a key such as "__proto__" stays a plain key.
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJsonTemplate(v, render)]))
  return value
}

/** Every string in `value` with its path (`[["customer", "name"], "{{ customer.name }}"]`), for save-time checks. */
export function jsonTemplateStrings(value: JsonValue, at: readonly (string | number)[] = []): { path: (string | number)[]; source: string }[] {
  if (typeof value === 'string') return [{ path: [...at], source: value }]
  if (Array.isArray(value)) return value.flatMap((v: JsonValue, i) => jsonTemplateStrings(v, [...at, i]))
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => jsonTemplateStrings(v, [...at, k]))
  return []
}
