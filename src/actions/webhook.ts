import { z } from 'zod'
import { defineAction } from './action.js'
import { deliver } from './deliver.js'

/** Calls an HTTP endpoint with a JSON body, signed per Standard Webhooks. */
export const webhook = defineAction({
  type: 'webhook',
  params: z.strictObject({
    url: z.url('must be an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
    body: z.string().max(100_000).optional(),
    secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be a whsec_… secret').optional(),
  }),
  templates: ['body'],
  preview({ params, render, data }) {
    return { url: params.url, method: params.method, body: params.body ? render(params.body) : defaultBody(data) }
  },
  async run(input) {
    const { params, render, data } = input
    const body = params.body ? render(params.body) : defaultBody(data)
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
