// Templates as an attack surface and as documented. A customer's name cannot add fields to a
// signed webhook body (an object body, or a string body that is JSON already); any other string
// body that data turns into invalid JSON fails its step and sends nothing; templates are checked
// with sample data when saved (unknown variables in a JSON body's strings, a body that is not
// JSON, a runaway loop); `links.unsubscribe` works; `money` uses the run's currency. Then a
// runaway template against the real server process: refused when saved, stopped in a preview and
// when sending, while /healthz keeps answering.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
import { eventually, startServer, type RunningServer } from './helpers/server.js'

type TestApp = Awaited<ReturnType<typeof testApp>>
type Step = { id: string; status: string; attempts: number; error: string | null; output: unknown }
type Run = { id: string; status: string; error?: string | null; steps: Step[] }

/** A webhook receiver on loopback that records each request by path and answers 204. */
async function startReceiver() {
  const requests: { path: string; body: string }[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    to: (path: string) => requests.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A payment.failed event for `customer` (named `name`), in `currency`, with event metadata. */
function failed(id: string, o: { customer: string; name: string; currency?: string; metadata?: Record<string, unknown> }) {
  const e = paymentFailed(id, { customer: o.customer, subscription: `sub_${o.customer}` })
  return { ...e, customer: { ...e.customer, name: o.name }, payment: { ...e.payment, currency: o.currency ?? 'USD' }, ...(o.metadata ? { metadata: o.metadata } : {}) }
}

const INJECTION = 'x","admin":true,"y":"'
// Two nested loops as long as the event says: the sample data (no metadata) renders nothing, so it
// saves; a real event with n = 100000 asks for 10^10 iterations.
const RUNAWAY_BY_DATA = '{% for i in (1..event.metadata.n) %}{% for j in (1..event.metadata.n) %}x{% endfor %}{% endfor %}'
const RUNAWAY = '{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}'

function workflow(id: string, steps: Record<string, unknown>[]) {
  return { id, name: `Templates ${id}`, status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] }, steps }
}

const issue = (body: { errors?: { path: string; message: string }[] }, path: string) => body.errors?.find((e) => e.path === path)

for (const dialect of DIALECTS) {
  describe(`templates on ${dialect.name}`, () => {
    let app: TestApp
    let hooks: Awaited<ReturnType<typeof startReceiver>>

    beforeAll(async () => {
      hooks = await startReceiver()
      app = await testApp(dialect, { env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true', RECOUP_RETRY_MAX_ATTEMPTS: '3' } })
      expect((await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })).status).toBe(201)
    })
    afterAll(async () => {
      await app?.close()
      await hooks?.close()
    })

    const finished = (id: string) =>
      eventually(async () => {
        const r = (await app.inject('GET', `/v1/runs/${id}`)).body as Run
        return ['completed', 'failed'].includes(r.status) && r
      }, 30_000, `run ${id} to finish`)
    const start = async (event: unknown): Promise<string[]> => {
      const res = await app.inject('POST', '/v1/events', event)
      expect(res.status, JSON.stringify(res.body)).toBe(202)
      return res.body.runs.map((r: { id: string }) => r.id)
    }
    const create = async (definition: unknown) => {
      const res = await app.inject('POST', '/v1/workflows', definition)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
    }
    const pause = (id: string) => app.inject('PATCH', `/v1/workflows/${id}`, { status: 'paused' })

    it('puts a customer name that looks like JSON into an object body as a plain string', async () => {
      await create(workflow('wf_object_body', [{
        id: 'crm',
        type: 'webhook',
        url: `${hooks.url}/object`,
        body: { event: 'payment_failed', customer: { id: '{{ customer.id }}', name: '{{ customer.name }}' }, amount: '{{ payment.amount | money }}', tags: ['recoup', '{{ payment.currency }}'], attempt: 1, test: false },
      }]))
      const [runId] = await start(failed('evt_inject_1', { customer: 'cus_mallory', name: INJECTION, currency: 'EUR' }))
      const run = await finished(runId!)
      await pause('wf_object_body')
      expect(run.status, JSON.stringify(run)).toBe('completed')
      const [received, ...more] = hooks.to('/object')
      expect(more).toEqual([])
      const body = JSON.parse(received!.body) as Record<string, unknown>
      expect(body).toEqual({
        event: 'payment_failed',
        customer: { id: 'cus_mallory', name: INJECTION },
        amount: '€49.00',
        tags: ['recoup', 'EUR'],
        attempt: 1,
        test: false,
      })
      expect(body).not.toHaveProperty('admin')
    })

    it('renders a string body that is JSON already string by string, so the name stays a string there too', async () => {
      await create(workflow('wf_json_string_body', [{ id: 'crm', type: 'webhook', url: `${hooks.url}/json-string`, body: '{"customer": {"name": "{{ customer.name }}"}}' }]))
      const [runId] = await start(failed('evt_inject_2', { customer: 'cus_mallory_2', name: INJECTION }))
      const run = await finished(runId!)
      await pause('wf_json_string_body')
      expect(run.status, JSON.stringify(run)).toBe('completed')
      expect(hooks.to('/json-string').map((r) => JSON.parse(r.body))).toEqual([{ customer: { name: INJECTION } }])
    })

    it('fails the step, and sends nothing, when data turns a string body into invalid JSON', async () => {
      await create(workflow('wf_string_body', [{ id: 'crm', type: 'webhook', url: `${hooks.url}/string`, body: '{"name": "{{ customer.name }}", "amount": {{ payment.amount }}}' }]))
      // A name without quotes still makes JSON, so the old form keeps working.
      const [okRun] = await start(failed('evt_string_ok', { customer: 'cus_plain', name: 'Ada Lovelace' }))
      expect((await finished(okRun!)).status).toBe('completed')
      expect(hooks.to('/string').map((r) => JSON.parse(r.body))).toEqual([{ name: 'Ada Lovelace', amount: 4900 }])

      const [runId] = await start(failed('evt_string_quote', { customer: 'cus_quote', name: 'Dwayne "The Rock' }))
      const run = await finished(runId!)
      await pause('wf_string_body')
      expect(run.status, JSON.stringify(run)).toBe('failed')
      const step = run.steps.find((s) => s.id === 'crm')!
      expect(step.status).toBe('failed')
      expect(step.attempts).toBe(1)
      expect(step.error).toContain('not valid JSON')
      expect(step.error).toContain('JSON object')
      expect(hooks.to('/string')).toHaveLength(1)
    })

    it('checks the strings of a JSON body at save time, with paths into the body', async () => {
      const res = await app.inject('POST', '/v1/workflows', workflow('wf_bad_body', [
        { id: 'note', type: 'update_customer', note: 'ok' },
        { id: 'crm', type: 'webhook', url: `${hooks.url}/bad`, body: { customer: { name: '{{ customer.nmae }}' }, items: ['{{ payment.amount }}', '{{ installment_plan.id }}'] } },
      ]))
      expect(res.status).toBe(422)
      expect(issue(res.body, 'steps[1].body.customer.name')?.message).toContain('customer.nmae')
      expect(issue(res.body, 'steps[1].body.items[1]')?.message).toContain('installment_plan')
      expect(issue(res.body, 'steps[1].body.items[0]')).toBeUndefined()
      const asText = await app.inject('POST', '/v1/workflows', workflow('wf_bad_body', [{ id: 'crm', type: 'webhook', url: `${hooks.url}/bad`, body: '{"customer": {"name": "{{ customer.nmae }}"}}' }]))
      expect(issue(asText.body, 'steps[0].body.customer.name')?.message).toContain('customer.nmae')
      expect((await app.inject('POST', '/v1/workflows', workflow('wf_bad_body', [{ id: 'crm', type: 'webhook', url: `${hooks.url}/bad`, body: 42 }]))).status).toBe(422)
    })

    it('refuses at save time a string body that is not JSON with the sample data, and says to use an object', async () => {
      const res = await app.inject('POST', '/v1/workflows', workflow('wf_not_json', [{ id: 'crm', type: 'webhook', url: `${hooks.url}/bad`, body: '{"name": {{ customer.name }}}' }]))
      expect(res.status).toBe(422)
      const problem = issue(res.body, 'steps[0].body')
      expect(problem?.message).toContain('not valid JSON')
      expect(problem?.message).toContain('JSON object')
    })

    it('refuses at save time a template that runs away, naming the field', async () => {
      const res = await app.inject('POST', '/v1/workflows', workflow('wf_runaway', [
        { id: 'mail', type: 'send_email', subject: 'Hi', body: RUNAWAY },
        { id: 'crm', type: 'webhook', url: `${hooks.url}/bad`, body: { spam: `{% for i in (1..3000) %}{% for j in (1..3000) %}{{ j }}{% endfor %}{% endfor %}` } },
      ]))
      expect(res.status).toBe(422)
      expect(issue(res.body, 'steps[0].body')?.message).toContain('template stopped')
      expect(issue(res.body, 'steps[1].body.spam')?.message).toContain('ran longer than')
      expect((await app.inject('GET', '/v1/workflows/wf_runaway')).status).toBe(404)
      expect((await app.inject('GET', '/healthz')).status).toBe(200)
    })

    it('knows links.unsubscribe, and it renders a link to a working unsubscribe page', async () => {
      await create(workflow('wf_unsubscribe', [{ id: 'mail', type: 'send_email', subject: 'Hi', body: 'Stop these emails: {{ links.unsubscribe }}' }]))
      const preview = await app.inject('POST', '/v1/workflows/wf_unsubscribe/test', {})
      expect(preview.body.steps[0].body).toContain('Stop these emails: ')
      const [runId] = await start(failed('evt_unsubscribe', { customer: 'cus_unsub', name: 'Una' }))
      expect((await finished(runId!)).status).toBe('completed')
      await pause('wf_unsubscribe')
      const messages = (await app.inject('GET', `/v1/messages?run_id=${runId}`)).body.data as { body: string }[]
      const link = /Stop these emails: (\S+)/.exec(messages[0]!.body)?.[1]
      expect(link).toMatch(/^http:\/\/recoup\.test\/l\/[0-9A-Za-z]{16}$/)
      const redirect = await app.http.inject({ method: 'GET', url: new URL(link!).pathname })
      expect(String(redirect.headers.location)).toMatch(/^\/portal\/unsubscribe\//)
      const page = await app.http.inject({ method: 'GET', url: String(redirect.headers.location) })
      expect(page.statusCode).toBe(200)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
    })

    it('stops a runaway template when sending: the step fails at once with the reason, and the app still answers', async () => {
      await create(workflow('wf_runaway_data', [
        { id: 'crm', type: 'webhook', url: `${hooks.url}/runaway`, body: { spam: RUNAWAY_BY_DATA } },
      ]))
      const [runId] = await start(failed('evt_runaway_1', { customer: 'cus_loop', name: 'Loop', metadata: { n: 100000 } }))
      const run = await finished(runId!)
      await pause('wf_runaway_data')
      expect(run.status).toBe('failed')
      expect(run.steps[0]).toMatchObject({ status: 'failed', attempts: 1 })
      expect(run.steps[0]!.error).toContain('template stopped')
      expect(hooks.to('/runaway')).toEqual([])
      expect((await app.inject('GET', '/healthz')).status).toBe(200)
    })
  })
}

describe('a runaway template against the real server process', () => {
  let server: RunningServer
  let hooks: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    hooks = await startReceiver()
    server = await startServer({ env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true', RECOUP_RETRY_BASE_MS: '50', RECOUP_RETRY_MAX_ATTEMPTS: '3' } })
    expect((await server.api('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })).status).toBe(201)
  })
  afterAll(async () => {
    await server?.stop()
    await hooks?.close()
  })

  /** /healthz answers within 10 s (a process stuck in a loop never does). */
  const healthy = async () => {
    const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(10_000) })
    return res.status
  }

  it('refuses it when saved, stops it in a preview and when sending, and /healthz keeps answering', async () => {
    const refused = await server.api('POST', '/v1/workflows', workflow('wf_loop_save', [{ id: 'mail', type: 'send_email', subject: 'Hi', body: RUNAWAY }]))
    expect(refused.status).toBe(422)
    expect(issue(refused.body, 'steps[0].body')?.message).toContain('template stopped')
    expect(await healthy()).toBe(200)

    const created = await server.api('POST', '/v1/workflows', workflow('wf_loop', [
      { id: 'crm', type: 'webhook', url: `${hooks.url}/loop`, body: { spam: RUNAWAY_BY_DATA } },
      { id: 'mail', type: 'send_email', subject: 'Hi', body: RUNAWAY_BY_DATA },
    ]))
    expect(created.status, JSON.stringify(created.body)).toBe(201)

    // The preview shows the webhook step's error; the email step's stops the preview with a problem.
    const event = failed('evt_loop_preview', { customer: 'cus_loop', name: 'Loop', metadata: { n: 100000 } })
    const preview = await server.api('POST', '/v1/workflows/wf_loop/test', { event })
    expect(preview.status).toBeLessThan(500)
    expect(JSON.stringify(preview.body)).toContain('template stopped')
    expect(await healthy()).toBe(200)

    // Several runs at once: each stops, fails its step on the first attempt, and sends nothing.
    const ids: string[] = []
    for (let i = 0; i < 4; i++) {
      const res = await server.api('POST', '/v1/events', failed(`evt_loop_${i}`, { customer: `cus_loop_${i}`, name: 'Loop', metadata: { n: 100000 } }))
      expect(res.status, JSON.stringify(res.body)).toBe(202)
      ids.push(res.body.runs[0].id)
    }
    expect(await healthy()).toBe(200)
    for (const id of ids) {
      const run = await eventually(async () => {
        expect(await healthy()).toBe(200)
        const r = (await server.api('GET', `/v1/runs/${id}`)).body as Run
        return ['completed', 'failed'].includes(r.status) && r
      }, 30_000, `run ${id} to finish`)
      expect(run.status).toBe('failed')
      expect(run.steps.find((s) => s.id === 'crm')).toMatchObject({ status: 'failed', attempts: 1 })
      expect(run.steps.find((s) => s.id === 'crm')?.error).toContain('template stopped')
    }
    expect(hooks.to('/loop')).toEqual([])
    expect(await healthy()).toBe(200)
  })
})
