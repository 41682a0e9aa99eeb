import type { FastifyInstance } from 'fastify'

// A portal form or a Twilio callback is a few hundred bytes; refuse anything far larger early.
const FORM_LIMIT = 64 * 1024

/**
 * Lets one plugin scope read HTML form posts as `URLSearchParams` (fastify parses only JSON by
 * default). Registered per scope so the JSON API keeps refusing form bodies.
 */
export function acceptFormBodies(scope: FastifyInstance, options: { multipart?: boolean } = {}): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) => {
    done(null, new URLSearchParams(body as string))
  })
  // RFC 8058 allows a one-click unsubscribe POST as multipart/form-data; the platform's own
  // parser reads it, and only its text fields are kept.
  if (options.multipart) {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: FORM_LIMIT }, async (req: { headers: Record<string, unknown> }, body: Buffer | string) => {
      let form: FormData
      try {
        form = await new Response(body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData()
      } catch {
        throw new MalformedFormError()
      }
      const params = new URLSearchParams()
      for (const [name, value] of form) if (typeof value === 'string') params.append(name, value)
      return params
    })
  }
}

/** A multipart body that does not parse: the sender's fault, so a 400, never a 500. */
class MalformedFormError extends Error {
  readonly statusCode = 400
  readonly code = 'FST_ERR_MALFORMED_FORM'
  constructor() {
    super('The form body is not valid multipart/form-data')
    this.name = 'MalformedFormError'
  }
}

/** The posted form, or an empty one when the body was not a form. */
export function formOf(body: unknown): URLSearchParams {
  return body instanceof URLSearchParams ? body : new URLSearchParams()
}
