import { z } from 'zod'
import { PermanentError } from '../domain/errors.js'
import { jsonBodySchema, renderJsonBody } from '../templates/json-template.js'
import { defineAction } from './action.js'
import { deliver } from './deliver.js'

/** Calls an HTTP endpoint with a JSON body, signed per Standard Webhooks. */
export const webhook = defineAction({
  type: 'webhook',
  title: 'Call a webhook',
  traits: { outside: true, customerMessage: false, readsRecords: false, continuesOnError: false, callsUrl: { secret: 'secret' } },
  params: z.strictObject({
    url: z.url('must be an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
    // An object or array whose strings are templates (each renders into a string value, so data
    // cannot change the JSON); a template string is still accepted but must render to valid JSON.
    body: jsonBodySchema(100_000).optional(),
    secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be a whsec_… secret').optional(),
  }),
  templates: ['body'],
  jsonTemplates: ['body'],
  preview({ params, render, data }) {
    try {
      return { url: params.url, method: params.method, body: params.body ? renderJsonBody(params.body, render) : defaultBody(data) }
    } catch (err) {
      if (!(err instanceof PermanentError)) throw err
      return { url: params.url, method: params.method, error: err.message }
    }
  },
  async run(input) {
    const { params, render, data } = input
    const body = params.body ? renderJsonBody(params.body, render) : defaultBody(data)
    return deliver(input, {
      kind: 'webhook',
      filedAs: 'webhook',
      to: params.url,
      body,
      meta: { method: params.method, ...(params.secret ? { secret: params.secret } : {}) },
    })
  },
})

function defaultBody(data: Record<string, unknown>): string {
  const { links: _links, ...rest } = data
  return JSON.stringify({ type: 'recoup.workflow_step', data: rest })
}
