// Saving a workflow or a webhook endpoint whose URL names a host that is never public is refused at
// once (422 naming the field), instead of failing at every delivery.
import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS, testApp } from './helpers/dialects.js'

type TestAppT = Awaited<ReturnType<typeof testApp>>

const trigger = { type: 'payment.failed', products: ['*'] }

function workflow(id: string, urls: { hook: string; slack: string; branchHook: string }) {
  return {
    id, name: 'Calls out', trigger,
    steps: [
      { id: 'tag', type: 'update_customer', add_tags: ['t'] },
      { id: 'hook', type: 'webhook', url: urls.hook },
      { id: 'alert', type: 'notify_team', channel: 'slack', url: urls.slack, message: 'failed' },
      {
        id: 'big', type: 'branch', if: [{ field: 'payment.amount', op: 'gt', value: 5000 }],
        then: [{ id: 'crm', type: 'webhook', url: urls.branchHook }],
      },
    ],
  }
}

const LOCAL = { hook: 'http://127.0.0.1:9/hook', slack: 'http://[64:ff9b::a9fe:a9fe]/latest/meta-data', branchHook: 'http://metadata.google.internal/computeMetadata/v1/' }
const PUBLIC = { hook: 'https://hooks.example.com/recoup', slack: 'https://hooks.slack.com/services/T0/B0/X', branchHook: 'https://[2002:808:808::]/crm' }

function issues(body: { errors?: { path: string; message: string }[] }) {
  return Object.fromEntries((body.errors ?? []).map((e) => [e.path, e.message]))
}

for (const dialect of DIALECTS) {
  describe(`save-time SSRF checks on ${dialect.name}`, () => {
    let app: TestAppT | undefined
    afterEach(async () => {
      await app?.close()
      app = undefined
    })

    it('refuses workflow URLs that name local hosts, with the field path, on POST and PUT', async () => {
      app = await testApp(dialect)
      const created = await app.inject('POST', '/v1/workflows', workflow('wf_local', LOCAL))
      expect(created.status).toBe(422)
      const found = issues(created.body)
      expect(Object.keys(found).sort()).toEqual(['steps[1].url', 'steps[2].url', 'steps[3].then[0].url'])
      expect(found['steps[1].url']).toContain('127.0.0.1 is not a public address (Loopback 127.0.0.0/8)')
      expect(found['steps[2].url']).toContain('Link Local 169.254.0.0/16, as 169.254.169.254 inside IPv4-IPv6 Translat. 64:ff9b::/96')
      expect(found['steps[3].then[0].url']).toContain('metadata.google.internal is a local name')
      expect(found['steps[1].url']).toContain('RECOUP_WEBHOOK_ALLOW_PRIVATE=true')

      expect((await app.inject('PUT', '/v1/workflows/wf_local', workflow('wf_local', LOCAL))).status).toBe(422)
      expect((await app.inject('GET', '/v1/workflows/wf_local')).status).toBe(404)

      // Public addresses and names that are not obviously local are saved (names are judged when called).
      expect((await app.inject('POST', '/v1/workflows', workflow('wf_public', PUBLIC))).status).toBe(201)
      const put = await app.inject('PUT', '/v1/workflows/wf_public', workflow('wf_public', { ...PUBLIC, hook: 'http://[::ffff:10.0.0.7]/x' }))
      expect(put.status).toBe(422)
      expect(issues(put.body)).toEqual({ 'steps[1].url': expect.stringContaining('Private-Use 10.0.0.0/8') })
    })

    it('lists URL problems together with the other problems of the workflow', async () => {
      app = await testApp(dialect)
      const bad = workflow('wf_both', { ...PUBLIC, hook: 'http://198.18.0.1/hook' })
      const res = await app.inject('POST', '/v1/workflows', { ...bad, steps: [...bad.steps, { id: 'tag', type: 'update_customer', add_tags: ['again'] }] })
      expect(res.status).toBe(422)
      expect(issues(res.body)).toMatchObject({ 'steps[1].url': expect.stringContaining('Benchmarking 198.18.0.0/15'), 'steps[4].id': expect.any(String) })
    })

    it('refuses a team alert URL that is not http(s)', async () => {
      app = await testApp(dialect, { env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' } })
      const res = await app.inject('POST', '/v1/workflows', workflow('wf_file', { ...PUBLIC, slack: 'file:///etc/passwd' }))
      expect(res.status).toBe(422)
      expect(issues(res.body)).toEqual({ 'steps[2].url': 'must be an http(s) URL' })
    })

    it('refuses webhook endpoint URLs that name local hosts', async () => {
      app = await testApp(dialect)
      for (const url of ['http://10.1.2.3/recoup', 'http://localhost:8080/recoup', 'http://[2002:c0a8:101::]/recoup', 'http://nas.local/recoup']) {
        const res = await app.inject('POST', '/v1/webhook-endpoints', { url, events: ['run.completed'] })
        expect(res.status, url).toBe(422)
        expect(Object.keys(issues(res.body))).toEqual(['url'])
      }
      expect((await app.inject('GET', '/v1/webhook-endpoints')).body.data).toEqual([])
      expect((await app.inject('POST', '/v1/webhook-endpoints', { url: 'https://hooks.example.com/recoup', events: ['run.completed'] })).status).toBe(201)
    })

    it('lets everything through with RECOUP_WEBHOOK_ALLOW_PRIVATE=true, and a workflow saved so can still be paused without it', async () => {
      const databaseUrl = await dialect.freshDatabaseUrl()
      app = await testApp(dialect, { databaseUrl, env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' } })
      expect((await app.inject('POST', '/v1/workflows', { ...workflow('wf_local', LOCAL), status: 'active' })).status).toBe(201)
      expect((await app.inject('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/recoup', events: ['run.completed'] })).status).toBe(201)
      await app.close()

      app = await testApp(dialect, { databaseUrl })
      const paused = await app.inject('POST', '/v1/workflows/wf_local/pause')
      expect(paused.status).toBe(200)
      expect(paused.body.status).toBe('paused')
      expect((await app.inject('PUT', '/v1/workflows/wf_local', workflow('wf_local', LOCAL))).status).toBe(422)
    })
  })
}
