import type { FastifyRequest } from 'fastify'
import { ValidationError, type FieldIssue } from '../domain/errors.js'

/** Deepest nesting a JSON body may have; real Recoup documents stay under ten levels. */
export const MAX_JSON_DEPTH = 32

/**
 * Refuses request input that no route should ever see: strings (values or keys) that are not
 * well-formed Unicode (a lone UTF-16 surrogate is stored as bytes that read back as something
 * else), and bodies nested deeper than MAX_JSON_DEPTH (recursive code further on would overflow
 * the stack). Looks at the parsed JSON body, the query string and the path parameters.
 */
export function guardRequestInput(req: FastifyRequest): void {
  const issues: FieldIssue[] = []
  inspect(req.params, 'path', issues)
  inspect(req.query, 'query', issues)
  // Raw bodies (signed webhooks) and form bodies are checked by their own routes.
  const body = req.body
  if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body) && !(body instanceof URLSearchParams)) {
    inspect(body, '', issues)
  } else if (typeof body === 'string') inspect(body, '(body)', issues)
  if (issues.length > 0) throw new ValidationError('The request contains input Recoup cannot accept', issues.slice(0, 20))
}

/** Walks a value without recursion, collecting ill-formed strings and depth overruns. */
function inspect(root: unknown, rootPath: string, issues: FieldIssue[]): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: rootPath, depth: 0 }]
  while (stack.length > 0 && issues.length < 20) {
    const { value, path, depth } = stack.pop()!
    if (typeof value === 'string') {
      if (!value.isWellFormed()) issues.push({ path: path || '(body)', message: 'is not well-formed Unicode (it contains a lone surrogate)' })
      continue
    }
    if (value === null || typeof value !== 'object') continue
    if (depth >= MAX_JSON_DEPTH) {
      issues.push({ path: path || '(body)', message: `nests deeper than ${MAX_JSON_DEPTH} levels` })
      continue
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 })
      continue
    }
    for (const key of Object.keys(value)) {
      const child = path ? `${path}.${key}` : key
      if (!key.isWellFormed()) {
        issues.push({ path: child.toWellFormed(), message: 'is a key that is not well-formed Unicode (it contains a lone surrogate)' })
        continue
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: child, depth: depth + 1 })
    }
  }
}
