import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RECOUP_BIN, ROOT, eventually, startServer, type RunningServer } from './helpers/server.js'

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RECOUP_BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('recoup CLI', () => {
  let server: RunningServer
  let env: Record<string, string>
  const dir = mkdtempSync(join(tmpdir(), 'recoup-cli-'))
  beforeAll(async () => {
    server = await startServer()
    env = { RECOUP_URL: server.url, RECOUP_API_KEY: server.apiKey }
    await server.api('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
  })
  afterAll(async () => server?.kill())

  it('applies workflows from YAML, sends events from a file, and lists runs', async () => {
    const yaml = join(dir, 'wf.yaml')
    writeFileSync(yaml, `id: wf_cli
name: CLI workflow
status: active
trigger:
  type: payment.failed
  products: [prod_pro]
steps:
  - id: tag
    type: update_customer
    add_tags: [from-cli]
`)
    const first = await cli(['workflows', 'apply', '-f', yaml], env)
    expect(first.stderr).toBe('')
    expect(first.stdout).toContain('created wf_cli (version 1, active)')
    // The same file again changes nothing: no new version.
    const second = await cli(['workflows', 'apply', '-f', yaml], env)
    expect(second.stdout).toContain('unchanged wf_cli (version 1, active)')
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('name: CLI workflow', 'name: CLI workflow, renamed'))
    expect((await cli(['workflows', 'apply', '-f', yaml], env)).stdout).toContain('updated wf_cli (version 2, active)')
    const listed = (await cli(['workflows', 'list'], env)).stdout
    expect(listed).toContain('ID\tNAME\tSTATUS\tVERSION\tTRIGGER\tPRODUCTS')
    expect(listed).toContain('wf_cli\tCLI workflow, renamed\tactive\tv2\tpayment.failed\tPro')

    const events = join(dir, 'events.json')
    writeFileSync(events, JSON.stringify([
      { id: 'cli_1', type: 'payment.failed', customer: { id: 'cus_cli' }, product_ids: ['prod_pro'], payment: { id: 'p', amount: 100, currency: 'USD' } },
      { id: 'cli_2', type: 'payment.failed', customer: { id: 'cus_cli' }, product_ids: ['prod_pro'], payment: { id: 'p', amount: 'x', currency: 'USD' } },
    ]))
    const sent = await cli(['events', 'send', '-f', events], env)
    const answer = JSON.parse(sent.stdout)
    expect(answer).toMatchObject({ accepted: 1, rejected: 1 })
    // One event refused is a failure for scripts.
    expect(sent.code).toBe(1)
    expect(sent.stderr).toContain('1 of 2 events were rejected')
    const runId = answer.results[0].runs[0].id
    await eventually(async () => (await server.api('GET', `/v1/runs/${runId}`)).body.status === 'completed')
    await server.api('PUT', '/v1/customers/cus_cli', { name: 'Cleo Client' })
    const runsListed = (await cli(['runs', 'list', '--workflow', 'wf_cli'], env)).stdout
    expect(runsListed).toContain('RUN\tOUTCOME\tSTATUS\tWORKFLOW\tCUSTOMER\tAMOUNT\tSTARTED')
    expect(runsListed).toContain(`${runId}\tnot recovered\tcompleted\tCLI workflow, renamed\tCleo Client\t$1.00`)
    const shown = (await cli(['runs', 'show', runId], env)).stdout
    expect(shown).toContain(`Run ${runId}: not recovered (completed)`)
    expect(shown).toContain('Customer  Cleo Client (cus_cli)')
    expect(shown).toMatch(/completed\s+tag \(update_customer\)/)
    expect(JSON.parse((await cli(['runs', 'show', runId, '--json'], env)).stdout).steps[0]).toMatchObject({ id: 'tag', status: 'completed' })
    expect((await cli(['runs', 'list', '--outcome', 'recovered'], env)).stdout.trim().split('\n')).toHaveLength(1)
  })

  it('explains bad files, bad keys and validation errors', async () => {
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, 'id: wf_bad\nname: Bad\ntrigger: {type: payment.failed, products: [prod_nope]}\nsteps: [{id: a, type: wait, duration: soon}]\n')
    const res = await cli(['workflows', 'apply', '-f', bad], env)
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('trigger.products[0]: unknown product "prod_nope"')
    expect(res.stderr).toContain('steps[0].duration')
    const unauth = await cli(['workflows', 'list'], { ...env, RECOUP_API_KEY: 'wrong-key-wrong-key' })
    expect(unauth.code).toBe(1)
    expect(unauth.stderr).toContain('401')
  })

  it('creates API keys directly in the database when the server is stopped', async () => {
    await server.stop()
    const res = await cli(['keys', 'create', '--name', 'ops'], { DATABASE_URL: server.databaseUrl })
    expect(res.code).toBe(0)
    const key = res.stdout.trim()
    expect(key).toMatch(/^rk_/)
    server = await startServer({ databaseUrl: server.databaseUrl, env: { RECOUP_API_KEY: '' } })
    const list = await fetch(`${server.url}/v1/workflows`, { headers: { authorization: `Bearer ${key}` } })
    expect(list.status).toBe(200)
  })
})

describe('bin/recoup.js', () => {
  it('runs the bundle while it is newer than every source file, and the sources once one changed', () => {
    // A root of its own: the real launcher, a bundle and a source entry that say which one ran.
    const root = mkdtempSync(join(tmpdir(), 'recoup-bin-'))
    mkdirSync(join(root, 'bin'))
    mkdirSync(join(root, 'dist'))
    mkdirSync(join(root, 'src', 'cli'), { recursive: true })
    copyFileSync(RECOUP_BIN, join(root, 'bin', 'recoup.js'))
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
    writeFileSync(join(root, 'package.json'), '{"type":"module"}')
    const entry = join(root, 'src', 'cli', 'main.ts')
    const bundle = join(root, 'dist', 'recoup.mjs')
    writeFileSync(entry, "const from: string = 'sources'\nconsole.log(from)\n")
    writeFileSync(bundle, "console.log('bundle')\n")
    const ran = (env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [join(root, 'bin', 'recoup.js')], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim()
    const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds)
    const now = Math.floor(Date.now() / 1000)
    at(entry, now - 60)
    at(bundle, now - 30)
    expect(ran()).toBe('bundle')
    expect(ran({ RECOUP_FROM_SOURCE: 'true' })).toBe('sources')
    at(entry, now) // edited after the last build
    expect(ran()).toBe('sources')
    rmSync(bundle)
    expect(ran()).toBe('sources')
  })
})
