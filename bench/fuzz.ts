// The API fuzzer at volume: test/helpers/fuzz.ts's generator against a real server process
// (`recoup serve --no-worker` through bin/recoup.js, on a fresh SQLite file), 16 requests at a
// time, each allowed 10 s before it counts as a hang. Prints answers by status class, 5xx, hangs,
// errors that are not problem+json, and the first offending requests grouped by cause. Exits 1
// when anything answered 5xx, hung, or the server stopped answering /healthz.
//
//   npx tsx bench/fuzz.ts [--requests 100000] [--seed 20261121] [--concurrency 16] [--from 0]
//
// Request i of seed s is always the same request: rerun one with `--from i --requests 1`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { fuzzPlan } from '../test/helpers/fuzz.js'
import { FuzzTally, portalTokens, runFuzz, seedFuzzData, type FindingKind } from '../test/helpers/fuzz-harness.js'
import { BENCH_API_KEY, fmtInt, fmtNum, sleep, startBenchServer } from './lib.js'

const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const REQUESTS = Number(arg('--requests') ?? 100_000)
const SEED = Number(arg('--seed') ?? 20_261_121)
const CONCURRENCY = Number(arg('--concurrency') ?? 16)
const FROM = Number(arg('--from') ?? 0)
const TIMEOUT_MS = 10_000
const SECRET = 'fuzz_link_secret_0123456789abcdefghijklmnop'
const PUBLIC_URL = 'http://recoup.test'

// The same optional parts as the test: Stripe and Twilio routes on, the worker off (this is about HTTP).
const ENV: Record<string, string> = {
  RECOUP_SECRET: SECRET,
  RECOUP_PUBLIC_URL: PUBLIC_URL,
  RECOUP_STRIPE_WEBHOOK_SECRET: 'whsec_fuzz_0123456789abcdefghijklmnop',
  RECOUP_TWILIO_ACCOUNT_SID: 'AC_fuzz',
  RECOUP_TWILIO_AUTH_TOKEN: 'fuzz_twilio_token',
  RECOUP_TWILIO_FROM: '+15555550100',
  RECOUP_TWILIO_API_BASE: 'http://127.0.0.1:9',
}

/** fastify's route table, from an in-process app built with the same settings (the server process cannot print it). */
async function routeTree(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'recoup-fuzz-routes-'))
  try {
    const config = loadConfig({ ...ENV, DATABASE_URL: join(dir, 'recoup.db'), RECOUP_API_KEY: BENCH_API_KEY, RECOUP_WORKER: 'false', RECOUP_LOG_LEVEL: 'silent' })
    const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
    await app.http.ready()
    const tree = app.http.printRoutes()
    await app.close()
    return tree
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<number> {
  const tree = await routeTree()
  const server = await startBenchServer({ name: 'fuzz', command: ['serve', '--no-worker'], env: { ...ENV, RECOUP_LOG_LEVEL: 'error' } })
  try {
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await server.client.send(method, path, body === undefined ? undefined : JSON.stringify(body))
      return { status: r.status, body: r.text ? JSON.parse(r.text) : null }
    }
    const seeded = await seedFuzzData(call)
    const plan = fuzzPlan({
      openapi: (await call('GET', '/openapi.json')).body,
      routeTree: tree,
      apiKey: BENCH_API_KEY,
      ids: seeded.ids,
      portalTokens: portalTokens({ secret: SECRET, publicUrl: PUBLIC_URL, run: seeded.run.id, customer: seeded.run.customer }),
      validBodies: seeded.validBodies,
    })
    console.log(`fuzz: ${fmtInt(REQUESTS)} requests from #${FROM}, seed ${SEED}, ${CONCURRENCY} at a time, ${plan.routes.length} routes, server pid ${server.pid}`)

    const tally = new FuzzTally()
    const healthFailures: string[] = []
    let stop = false
    const health = (async () => {
      while (!stop) {
        const r = await server.client.send('GET', '/healthz', undefined, TIMEOUT_MS).catch((err: Error) => ({ status: err.message }))
        if (r.status !== 200) healthFailures.push(`${new Date().toISOString()}: ${r.status}`)
        for (let waited = 0; waited < 5_000 && !stop; waited += 100) await sleep(100)
      }
    })()
    const started = performance.now()
    let answered = 0
    await runFuzz({
      port: server.port,
      plan,
      seed: SEED,
      from: FROM,
      count: REQUESTS,
      concurrency: CONCURRENCY,
      timeoutMs: TIMEOUT_MS,
      after: (r, o) => {
        const finding = tally.add(r, o)
        if (finding && (finding.kind === '5xx' || finding.kind === 'hang') && tally.count(finding.kind) <= 3) console.log(`  ${finding.kind}: #${r.index} ${finding.detail.slice(0, 200)}`)
        if (++answered % 10_000 === 0) console.log(`  ${fmtInt(answered)} answered (${fmtNum(answered / ((performance.now() - started) / 1000), 0)}/s), ${tally.findings.length} findings`)
      },
    })
    stop = true
    await health
    const end = await server.client.send('GET', '/healthz', undefined, TIMEOUT_MS).catch((err: Error) => ({ status: err.message }))
    if (end.status !== 200) healthFailures.push(`at the end: ${end.status}`)

    const seconds = (performance.now() - started) / 1000
    const by = (kind: FindingKind) => tally.count(kind)
    console.log(`\n${fmtInt(answered)} requests in ${fmtNum(seconds, 1)} s (${fmtNum(answered / seconds, 0)}/s)`)
    console.log(`by outcome: ${Object.entries(tally.counts).sort().map(([k, n]) => `${k} ${fmtInt(n)}`).join(', ')}`)
    console.log(`5xx: ${by('5xx')}   hangs: ${by('hang')}   no answer: ${by('no-answer')}   not problem+json: ${by('not-problem-json') + by('bad-problem-body')}   wrong status: ${by('wrong-status')}   auth bypass: ${by('auth-bypass')}`)
    console.log(`/healthz failures: ${healthFailures.length ? healthFailures.join('; ') : 'none'}`)
    if (tally.findings.length) console.log(`\nfindings by cause (first examples):\n${tally.report(2)}`)
    const serious = by('5xx') + by('hang') + healthFailures.length
    if (serious && server.output().trim()) console.log(`\nserver output (tail):\n${server.output().slice(-3000)}`)
    return serious ? 1 : 0
  } finally {
    await server.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(2)
  },
)
