// Hostile values for the API fuzzer (test/helpers/fuzz.ts): path segments, query strings, portal
// tokens, and bodies (an example of a route's schema or a known-good body, mutated in one place, or
// broken as JSON text or bytes). Every choice is drawn through `Draw`, so a seed fixes them all.
import fc from 'fast-check'
import type { FuzzPlan, FuzzRoute, JsonSchema } from './fuzz.js'

export type Draw = <T>(arb: fc.Arbitrary<T>) => T

export const pick = <T>(draw: Draw, items: readonly T[]): T => items[draw(fc.nat(items.length - 1))]!
export const chance = (draw: Draw, p: number): boolean => draw(fc.double({ min: 0, max: 1, noNaN: true })) < p
export const int = (draw: Draw, min: number, max: number): number => draw(fc.integer({ min, max }))

export const HUGE = 100 * 1024
export const DEEP = 5_000
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const
export const BAD_PERCENT = ['%', '%%', '%zz', '%2', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%ED%BF%BF', '%FF', '%FE%FF', '%00', '%0A', '%C3%28', '%F4%90%80%80', '%u0041', '%2e%2e%2f', '%252F']
export const ODD_SEGMENTS = ['..', '.', '%2e%2e', '__proto__', 'constructor', 'prototype', 'null', 'undefined', '0', '-1', '%20', '%F0%9F%92%A9', '~', "'", '!', '*', ';', '%3B', 'a:b', 'a@b', '%2F', 'toString', 'hasOwnProperty']
export const LONE_SURROGATES = ['\\ud800', '\\udfff', '\\ud83d', '\\udc00x', 'a\\ud800b', '\\ud800\\ud800', '\\udfff\\ud800']

/** A string of `length` characters from a small alphabet, percent-encoded where needed. */
export function longSegment(draw: Draw, length: number): string {
  const unit = pick(draw, ['a', 'Z9_', '%C3%A9', '%F0%9F%92%A9', '-.', '%ED%A0%80'])
  let s = ''
  while (s.length < length) s += unit
  return s.slice(0, length).replace(/%[0-9A-F]?$/i, '')
}

export function pathParam(draw: Draw, plan: FuzzPlan, collection: string): string {
  const known = plan.ids[collection] ?? []
  switch (draw(fc.nat(9))) {
    case 0: case 1: case 2:
      return known.length ? encodeURIComponent(pick(draw, known)) : 'x'
    case 3:
      return draw(fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/))
    case 4: case 5:
      return longSegment(draw, int(draw, 100, 5000))
    case 6: case 7:
      return `${pick(draw, ['', 'prod_', 'run_', 'x'])}${pick(draw, BAD_PERCENT)}${pick(draw, ['', 'x', '%41'])}`
    default:
      return pick(draw, ODD_SEGMENTS)
  }
}

/** Fills a route's `:param`s and `*` (portal tokens) to make a request path. */
export function fillPath(draw: Draw, plan: FuzzPlan, route: FuzzRoute): string {
  const collection = route.path.split('/')[2] ?? ''
  let path = route.path.replace(/:(\w+)/g, () => pathParam(draw, plan, collection))
  if (path.endsWith('*')) {
    const page = route.path.split('/')[2] ?? ''
    const token = portalToken(draw, plan, page.replace('-', '_'))
    const right = route.method === 'GET' || route.method === 'HEAD' ? [''] : page === 'update-payment' ? ['/retry'] : page === 'offer' ? ['/accept', '/decline'] : ['']
    const suffix = chance(draw, 0.6) ? pick(draw, right) : pick(draw, ['/retry', '/accept', '/decline', '', '/retry/x', '/ACCEPT', '/x', '/..'])
    path = path.slice(0, -1) + token + suffix
  }
  return path
}

/** The purpose (`p`) a portal token claims, if it decodes. */
function purposeOf(token: string): string | undefined {
  try {
    return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { p?: string }).p
  } catch {
    return undefined
  }
}

/** A portal token: usually a valid one for the page's purpose (so handlers run), else a broken or foreign one. */
export function portalToken(draw: Draw, plan: FuzzPlan, purpose: string): string {
  const own = plan.portalTokens.filter((t) => purposeOf(t) === purpose)
  const valid = own.length && chance(draw, 0.75) ? pick(draw, own) : plan.portalTokens.length ? pick(draw, plan.portalTokens) : 'e30.' + 'A'.repeat(43)
  switch (draw(fc.nat(8))) {
    case 0: case 1: case 2:
      return valid
    case 3:
      return valid.slice(0, int(draw, 0, valid.length - 1))
    case 4:
      return `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`
    case 5:
      return longSegment(draw, int(draw, 100, 5000))
    case 6:
      return `${pick(draw, BAD_PERCENT)}.${'A'.repeat(43)}`
    case 7:
      return `${Buffer.from(JSON.stringify({ p: 'offer', run: { __proto__: 1 }, cus: 1, exp: 1e300 })).toString('base64url')}.${'A'.repeat(43)}`
    default:
      return pick(draw, ODD_SEGMENTS)
  }
}

export function queryString(draw: Draw, plan: FuzzPlan): string {
  const names = ['limit', 'after', 'cursor', 'status', 'customer_id', 'workflow_id', 'run_id', 'event_id', 'channel', 'tag', 'from', 'to', 'archived', 'include_archived', 'trigger_type', 'subscription_id', ...PROTO_KEYS, '__proto__[x]', 'constructor[prototype][x]', 'a[]', '']
  const values = ['-1', '0', '1', '101', '1e9', '99999999999999999999999', '1.5', 'NaN', 'true', '', 'running', 'email', 'abc', '2026-01-01', '2026-13-45', '0000-00-00T99:99', '%ED%A0%80', '%E0%A4%A', '%00', '%FF', "' OR 1=1 --", '"', '%F0%9F%92%A9']
  const pairs: string[] = []
  const n = int(draw, 1, 4)
  for (let i = 0; i < n; i++) {
    const name = pick(draw, names)
    const known = Object.values(plan.ids).flat()
    const value = chance(draw, 0.1) ? longSegment(draw, int(draw, 100, 8000)) : chance(draw, 0.15) && known.length ? pick(draw, known) : pick(draw, values)
    pairs.push(chance(draw, 0.05) ? name : `${name}=${value}`)
  }
  if (chance(draw, 0.1)) pairs.push(pairs[0]!) // a repeated key
  return `?${pairs.join(pick(draw, ['&', '&', '&', ';', '&&']))}`
}

// ---------------------------------------------------------------------------------------------
// Bodies: an example of the route's schema (or a known-good body), mutated in exactly one place.

/** An instance of a JSON Schema, valid where the generator knows how (patterns from a few candidates). */
export function exampleOf(draw: Draw, schema: JsonSchema, root: JsonSchema, depth = 0): unknown {
  if (depth > 12) return null
  if (schema.$ref) {
    const target = schema.$ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root)
    return target ? exampleOf(draw, target as JsonSchema, root, depth + 1) : null
  }
  if (schema.const !== undefined) return schema.const
  if (schema.enum) return pick(draw, schema.enum)
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives?.length) return exampleOf(draw, pick(draw, alternatives), root, depth + 1)
  if (schema.allOf?.length) return exampleOf(draw, schema.allOf[0]!, root, depth + 1)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(key) || chance(draw, 0.4)) out[key] = exampleOf(draw, prop, root, depth + 1)
      }
      return out
    }
    case 'array': {
      const n = Math.max(schema.minItems ?? 0, int(draw, 0, 2))
      return Array.from({ length: n }, () => (schema.items ? exampleOf(draw, schema.items, root, depth + 1) : 'x'))
    }
    case 'integer': case 'number':
      return schema.minimum !== undefined ? schema.minimum : int(draw, 0, 5000)
    case 'boolean':
      return chance(draw, 0.5)
    case 'null':
      return null
    case 'string':
      return stringFor(draw, schema)
    default:
      return schema.default ?? 'x'
  }
}

function stringFor(draw: Draw, schema: JsonSchema): string {
  if (schema.format === 'email') return 'ada@example.com'
  if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/hook'
  if (schema.format === 'date-time') return '2026-11-21T10:00:00Z'
  if (schema.pattern) {
    const re = new RegExp(schema.pattern)
    const candidates = ['prod_pro', '+15555550100', 'USD', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '09:30', 'payment.amount', 'step-1', 'P3D', 'a', 'ab_12']
    return candidates.find((c) => re.test(c)) ?? 'x'
  }
  return 'x'.repeat(Math.max(1, schema.minLength ?? int(draw, 1, 12)))
}

type PathKey = string | number

/** Every place in a JSON value: [] (the root), ['a'], ['a', 0], … */
function placesIn(value: unknown, at: PathKey[] = [], out: PathKey[][] = []): PathKey[][] {
  out.push(at)
  if (Array.isArray(value)) value.forEach((v, i) => placesIn(v, [...at, i], out))
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) placesIn(v, [...at, k], out)
  return out
}

function setAt(root: unknown, path: readonly PathKey[], f: (v: unknown) => unknown): unknown {
  if (path.length === 0) return f(root)
  const [head, ...rest] = path
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? setAt(v, rest, f) : v))
  const o = root as Record<string, unknown>
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === head ? setAt(v, rest, f) : v]))
}

/**
 * JSON text with raw fragments spliced in: values and keys JSON.stringify cannot write (lone
 * surrogate escapes are fine in JSON text, `__proto__` keys must never be real JS objects here,
 * 5,000-level nesting is cheaper as text). Placeholders are strings replaced after serializing.
 */
class Splicer {
  readonly #fragments: string[] = []
  value(text: string): string {
    this.#fragments.push(text)
    return `@@fuzz${this.#fragments.length - 1}@@`
  }
  text(json: unknown): string {
    return JSON.stringify(json).replace(/"@@fuzz(\d+)@@"/g, (_, n: string) => this.#fragments[Number(n)]!)
  }
}

export function deepText(draw: Draw): string {
  const levels = pick(draw, [DEEP, DEEP, DEEP, 1_000, 128, 20_000])
  return chance(draw, 0.5) ? '['.repeat(levels) + ']'.repeat(levels) : '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
}

export const WRONG_VALUES = ['null', '0', '-1', '1.5', '1e308', '-1e308', '1e999999', '-0', '9007199254740993', '123456789012345678901234567890', 'true', 'false', '""', '" "', '[]', '{}', '[null]', '"\\u0000"', '"2026-02-30T25:61:00Z"', '"<script>alert(1)</script>"', '"{{ 7*7 }}"', '"{% raw %}"', '"\' OR 1=1 --"', '"../../etc/passwd"', '"http://169.254.169.254/latest/meta-data"']

/** One mutation at one place of `body`; returns the JSON text and what was done. */
export function mutate(draw: Draw, body: unknown): { text: string; what: string } {
  const s = new Splicer()
  const places = placesIn(body)
  const place = pick(draw, places)
  const where = place.length ? place.join('.') : '(root)'
  const parentPlace = place.slice(0, -1)
  const op = pick(draw, ['wrong-type', 'wrong-type', 'missing', 'extra', 'huge-string', 'deep', 'surrogate-value', 'surrogate-key', 'proto', 'proto', 'none'] as const)
  switch (op) {
    case 'wrong-type':
      return { text: s.text(setAt(body, place, () => s.value(pick(draw, WRONG_VALUES)))), what: `wrong value at ${where}` }
    case 'missing': {
      if (place.length === 0) return { text: '', what: 'empty body' }
      const key = place.at(-1)!
      const removed = setAt(body, parentPlace, (p) => (Array.isArray(p) ? p.filter((_, i) => i !== key) : Object.fromEntries(Object.entries(p as object).filter(([k]) => k !== key))))
      return { text: s.text(removed), what: `without ${where}` }
    }
    case 'extra': case 'surrogate-key': case 'proto': {
      const objects = places.filter((p) => { const v = p.reduce<unknown>((n, k) => (n as Record<PathKey, unknown>)[k], body); return v !== null && typeof v === 'object' && !Array.isArray(v) })
      const at = objects.length ? pick(draw, objects) : []
      const key = op === 'extra' ? pick(draw, ['surprise', 'id', 'status', 'x'.repeat(1000), '']) : op === 'proto' ? pick(draw, PROTO_KEYS) : pick(draw, LONE_SURROGATES)
      const value = op === 'proto' ? pick(draw, ['{"polluted":"yes"}', '{"prototype":{"polluted":"yes"}}', '{"toString":1,"valueOf":1}', 'null', '1', '"x"']) : pick(draw, WRONG_VALUES)
      const target = at.reduce<unknown>((n, k) => (n as Record<PathKey, unknown>)[k], body)
      // The key is spliced in as text, so a real `__proto__` key reaches the server.
      const marker = s.value(`"${key}"`)
      const text = s.text(setAt(body, at, () => ({ ...(target as object), [marker]: s.value(value) })))
      return { text, what: `${op === 'extra' ? 'extra field' : op === 'proto' ? 'prototype key' : 'lone-surrogate key'} ${JSON.stringify(key)} in ${at.join('.') || '(root)'}` }
    }
    case 'huge-string':
      return { text: s.text(setAt(body, place, () => s.value(JSON.stringify(pick(draw, ['a', 'é', '💩', '\u0000', '{{']).repeat(HUGE))))), what: `100 KB string at ${where}` }
    case 'deep':
      return { text: s.text(setAt(body, place, () => s.value(deepText(draw)))), what: `deep nesting at ${where}` }
    case 'surrogate-value':
      return { text: s.text(setAt(body, place, () => s.value(`"${pick(draw, LONE_SURROGATES)}"`))), what: `lone surrogate at ${where}` }
    case 'none':
      return { text: s.text(body), what: 'unchanged' }
  }
}

/** Whole bodies that are broken as JSON text or bytes. */
export function brokenBody(draw: Draw): { body: Buffer; what: string } {
  const texts = ['', ' ', 'null', '[]', '"str"', '42', 'true', '{', '{"a":', '{"a":1,}', '{"a":1}garbage', '{"a":1}{"b":2}', '{a:1}', "{'a':1}", '{"a":1 /* c */}', '\ufeff{}', '{"a":NaN}', '{"a":Infinity}', '{"a":"\\x41"}', '{"a":"\\uZZZZ"}', '{"a":"\\ud800"}', '{"\\ud800":1}', '{"a":"line\nbreak"}', '{"a":1,"a":2}', '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', deepText(draw)]
  if (chance(draw, 0.8)) {
    const text = pick(draw, texts)
    return { body: Buffer.from(text), what: `broken JSON ${JSON.stringify(text.slice(0, 40))}` }
  }
  const bytes = pick(draw, [[0xff, 0xfe], [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d], [0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d], [0x00, 0x7b, 0x7d], [0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d]])
  return { body: Buffer.from(bytes), what: `invalid UTF-8 bytes ${Buffer.from(bytes).toString('hex')}` }
}

export const ODD_CONTENT_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'multipart/form-data', 'multipart/form-data; boundary=',
  'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset="', 'application/JSON', 'application/json ',
  'application/vnd.api+json', 'application/merge-patch+json', 'application/octet-stream', '*/*', ';;;', 'application/json; ' + 'x=y; '.repeat(300),
  'application/xml', 'text/html', 'application/jsonx', 'json',
]

export function multipartGarbage(draw: Draw): Buffer {
  const parts = [
    '--xyz\r\nContent-Disposition: form-data; name="action"\r\n\r\nretry\r\n--xyz--\r\n',
    '--xyz\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\x02\r\n--xyz--',
    '--xyz\r\nno headers here\r\n',
    '--abc\r\n\r\n--abc--',
    'garbage without boundaries',
    '--xyz\r\nContent-Disposition: form-data; name="\ud800"\r\n\r\nx\r\n--xyz--\r\n',
    '--xyz\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\n{"polluted":"yes"}\r\n--xyz--\r\n',
    '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n' + 'a'.repeat(HUGE) + '\r\n--xyz--\r\n',
  ]
  return Buffer.from(pick(draw, parts))
}

/** The form a portal page's own button posts (`page` is the path segment), or with `step` an offer's. */
export function ownForm(draw: Draw, page: string, stepIds: readonly string[]): string {
  if (page === 'update-payment') return 'action=retry'
  if (page === 'offer') return `action=${pick(draw, ['accept', 'decline'])}&step=${encodeURIComponent(stepIds.length ? pick(draw, stepIds) : 'offer')}`
  return pick(draw, ['action=unsubscribe', 'List-Unsubscribe=One-Click'])
}

export function formGarbage(draw: Draw): string {
  return pick(draw, ['action=retry', 'action=accept&step=give-it-time', 'action=decline&step=x', 'List-Unsubscribe=One-Click', 'action=unsubscribe', '', '=', '&&&', 'a=%E0%A4%A', 'a=%ED%A0%80', '__proto__=x&constructor[prototype][polluted]=yes', 'action=' + 'x'.repeat(HUGE), 'From=%2B15555550100&Body=STOP', 'Body=START&From=' + '9'.repeat(5000)])
}
