import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { loadConfig, VERSION } from '../config.js'
import { RecoupError } from '../domain/errors.js'
import { formatMoney } from '../domain/money.js'
import { ApiClient } from './client.js'
import { keepHeapsSmall } from './heap.js'

// Commands that only talk to the API stay quick: the app and the store load only when needed.
const loadApp = () => import('../app.js')
const loadStore = () => import('../store/database.js')

const program = new Command()
program.name('recoup').description('Recover failed payments and canceled installment plans with durable workflows.').version(VERSION)

function readDocs(file: string): unknown {
  const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')
  return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text)
}

function client(opts: { url?: string; key?: string }): ApiClient {
  const url = opts.url ?? process.env.RECOUP_URL ?? `http://127.0.0.1:${process.env.RECOUP_PORT ?? 8080}`
  return new ApiClient({ url, key: opts.key ?? process.env.RECOUP_API_KEY })
}

const urlOpt = () => new Option('--url <url>', 'Recoup API base URL (env RECOUP_URL)')
const keyOpt = () => new Option('--key <key>', 'API key (env RECOUP_API_KEY)')
const print = (v: unknown) => console.log(JSON.stringify(v, null, 2))

/** Rows as tab-separated columns under a header (easy to read, and to cut or awk). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): void {
  for (const r of [header, ...rows]) console.log(r.join('\t'))
}

interface RunSummary {
  id: string
  status: string
  outcome: string | null
  workflow_id: string
  workflow_name: string | null
  workflow_version: number
  customer_id: string
  customer_name: string | null
  amount: number | null
  currency: string | null
  error: string | null
  waiting_reason: string | null
  waiting_until: string | null
  created_at: string
  finished_at: string | null
}

const OUTCOME_WORDS: Record<string, string> = { recovered: 'recovered', offer_accepted: 'offer accepted', not_recovered: 'not recovered', canceled: 'canceled' }
const outcomeWords = (r: Pick<RunSummary, 'outcome'>) => (r.outcome ? (OUTCOME_WORDS[r.outcome] ?? r.outcome) : 'in progress')
const amountWords = (r: Pick<RunSummary, 'amount' | 'currency'>) => (r.amount !== null && r.currency ? formatMoney(r.amount, r.currency) : '—')

interface Closable {
  readonly logger: { info(o: object, m: string): void; error(o: object, m: string): void }
  close(deadlineMs?: number): Promise<void>
}

/**
 * SIGTERM / SIGINT: stop taking work, let steps in flight finish (10 s at most), exit 0. A signal
 * that arrives while the app is still starting closes it as soon as it is up.
 */
function stopOnSignals(ready: Promise<Closable>): void {
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    ready
      .then(async (app) => {
        app.logger.info({ signal }, 'shutting down: finishing steps in flight')
        try {
          await app.close(10_000)
        } catch (err) {
          app.logger.error({ err }, 'shutdown failed')
          process.exit(1)
        }
        process.exit(0)
      })
      .catch(() => process.exit(1))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

async function runServer(opts: { worker: boolean; demo?: boolean }): Promise<void> {
  const config = loadConfig({ ...process.env, RECOUP_WORKER: opts.worker ? 'true' : 'false' })
  keepHeapsSmall()
  const { buildApp } = await loadApp()
  const ready = buildApp(config, {
    onFirstKey: (key) => {
      process.stdout.write(`\nFirst start: created an admin API key. It is shown only this once; keep it safe:\n\n  ${key}\n\n`)
    },
  })
  stopOnSignals(ready)
  const app = await ready
  if (opts.demo) {
    const loaded = await app.loadDemo()
    app.logger.info(loaded, 'demo data loaded')
  }
  const url = await app.listen()
  app.logger.info({ url, database: app.store.dialect, location: app.store.location, worker: opts.worker }, `Recoup ${VERSION} listening on ${url}`)
}

program
  .command('start')
  .description('Start API, dashboard and worker in one process (embedded mode)')
  .option('--demo', 'load demo data on start')
  .action(async (o: { demo?: boolean }) => runServer({ worker: true, demo: o.demo }))

program
  .command('serve')
  .description('Start the API and dashboard; --no-worker leaves steps to `recoup worker` processes')
  .option('--no-worker', 'do not run workflow steps in this process')
  .action(async (o: { worker: boolean }) => runServer({ worker: o.worker }))

program
  .command('worker')
  .description('Run workflow steps only (no HTTP); start as many as wanted next to `serve --no-worker` (PostgreSQL)')
  .option('--concurrency <n>', 'most runs advanced at once by this process (env RECOUP_CONCURRENCY)')
  .action(async (o: { concurrency?: string }) => {
    const config = loadConfig({ ...process.env, RECOUP_WORKER: 'true', ...(o.concurrency ? { RECOUP_CONCURRENCY: o.concurrency } : {}) })
    keepHeapsSmall()
    const { buildApp } = await loadApp()
    const ready = buildApp(config)
    stopOnSignals(ready)
    const app = await ready
    app.logger.info({ database: app.store.dialect, location: app.store.location, concurrency: config.concurrency }, `Recoup ${VERSION} worker running`)
  })

program
  .command('migrate')
  .description('Create or upgrade the database schema')
  .action(async () => {
    const config = loadConfig()
    const { migrate, openStore } = await loadStore()
    const store = await openStore({ url: config.databaseUrl })
    try {
      const ran = await migrate(store)
      // The queue's own schema, if it has one (graphile-worker's, where jobs live in scale-out mode).
      const { openQueue } = await import('../queue/open-queue.js')
      await openQueue(store, { databaseUrl: config.databaseUrl, workerSchema: config.workerSchema, clockOffset: () => 0 }).migrate()
      console.log(ran.length ? `Applied: ${ran.join(', ')}` : 'The database is up to date.')
    } finally {
      await store.close()
    }
  })

const events = program.command('events').description('Send events')
events
  .command('send')
  .description('Send events from a JSON or YAML file (one event, a list, or {events: [...]})')
  .requiredOption('-f, --file <file>', 'file to read ("-" for stdin)')
  .addOption(urlOpt())
  .addOption(keyOpt())
  .action(async (o: { file: string; url?: string; key?: string }) => {
    const doc = readDocs(o.file)
    const body = Array.isArray(doc) ? { events: doc } : doc
    const res = await client(o).request('POST', '/v1/events', body)
    print(res.body)
    const rejected = (res.body as { rejected?: number; results?: unknown[] } | null)?.rejected ?? 0
    if (rejected > 0) {
      const total = (res.body as { results?: unknown[] }).results?.length ?? rejected
      console.error(`recoup: ${rejected} of ${total} events were rejected (see "errors" in their results above)`)
    }
    if (res.status >= 400 || rejected > 0) process.exitCode = 1
  })

const workflows = program.command('workflows').description('Manage workflows')
workflows
  .command('apply')
  .description('Create or update workflows by id from a YAML or JSON file (one or a list)')
  .requiredOption('-f, --file <file>', 'file to read')
  .addOption(urlOpt())
  .addOption(keyOpt())
  .action(async (o: { file: string; url?: string; key?: string }) => {
    const doc = readDocs(o.file)
    const list = Array.isArray(doc) ? doc : [doc]
    const api = client(o)
    for (const wf of list as { id?: string }[]) {
      if (!wf?.id) throw new Error(`Every workflow in ${o.file} needs an "id" so apply can create or update it`)
      const path = `/v1/workflows/${encodeURIComponent(wf.id)}`
      const before = (await api.find(path)) as { version: number } | null
      const res = await api.request('PUT', path, wf)
      const saved = res.body as { id: string; version: number; status: string }
      // The server keeps the version when nothing changed.
      const what = res.status === 201 ? 'created' : before?.version === saved.version ? 'unchanged' : 'updated'
      console.log(`${what} ${saved.id} (version ${saved.version}, ${saved.status})`)
    }
  })
workflows
  .command('list')
  .description('List workflows')
  .addOption(urlOpt())
  .addOption(keyOpt())
  .action(async (o: { url?: string; key?: string }) => {
    const api = client(o)
    const res = await api.request('GET', '/v1/workflows?limit=500')
    const rows = (res.body as { data: { id: string; name: string; status: string; version: number; trigger: { type: string; products: string[] } }[] }).data
    const products = new Map(((await api.request('GET', '/v1/products?limit=500')).body as { data: { id: string; name: string }[] }).data.map((p) => [p.id, p.name]))
    table(
      ['ID', 'NAME', 'STATUS', 'VERSION', 'TRIGGER', 'PRODUCTS'],
      rows.map((w) => [w.id, w.name, w.status, `v${w.version}`, w.trigger.type, w.trigger.products.map((p) => (p === '*' ? 'any product' : (products.get(p) ?? p))).join(', ')]),
    )
  })

workflows
  .command('templates')
  .description('Print the starter workflows (copy one, pick products, then apply it)')
  .option('--id <id>', 'only this template')
  .option('--yaml', 'print YAML, ready to edit and pass to "workflows apply -f"')
  .addOption(urlOpt())
  .addOption(keyOpt())
  .action(async (o: { id?: string; yaml?: boolean; url?: string; key?: string }) => {
    const api = client(o)
    const out = o.id
      ? (await api.request('GET', `/v1/workflow-templates/${encodeURIComponent(o.id)}`)).body
      : (await api.request('GET', '/v1/workflow-templates')).body
    const docs = o.id ? out : (out as { data: unknown[] }).data
    // No folding: Liquid templates stay on the lines the author wrote.
    if (o.yaml) process.stdout.write(stringifyYaml(docs, { lineWidth: 0 }))
    else print(docs)
  })

const runs = program.command('runs').description('Inspect runs')
runs
  .command('list')
  .description('List runs, newest first')
  .option('--workflow <id>')
  .option('--customer <id>')
  .option('--status <status>')
  .option('--outcome <outcome>', 'recovered, offer_accepted, not_recovered or canceled')
  .option('--limit <n>', 'how many', '50')
  .addOption(urlOpt())
  .addOption(keyOpt())
  .action(async (o: { workflow?: string; customer?: string; status?: string; outcome?: string; limit: string; url?: string; key?: string }) => {
    const q = new URLSearchParams({ limit: o.limit })
    if (o.workflow) q.set('workflow_id', o.workflow)
    if (o.customer) q.set('customer_id', o.customer)
    if (o.status) q.set('status', o.status)
    if (o.outcome) q.set('outcome', o.outcome)
    const res = await client(o).request('GET', `/v1/runs?${q}`)
    const rows = (res.body as { data: RunSummary[] }).data
    table(
      ['RUN', 'OUTCOME', 'STATUS', 'WORKFLOW', 'CUSTOMER', 'AMOUNT', 'STARTED'],
      rows.map((r) => [r.id, outcomeWords(r), r.status, r.workflow_name ?? r.workflow_id, r.customer_name ?? r.customer_id, amountWords(r), r.created_at]),
    )
  })
runs
  .command('show <id>')
  .description('Show a run with its steps')
  .addOption(urlOpt())
  .addOption(keyOpt())
  .option('--json', 'print the run as the API answers it')
  .action(async (id: string, o: { json?: boolean; url?: string; key?: string }) => {
    const run = (await client(o).request('GET', `/v1/runs/${encodeURIComponent(id)}`)).body as RunSummary & { steps: { id: string; type: string; status: string; error: string | null }[] }
    if (o.json) return print(run)
    console.log(`Run ${run.id}: ${outcomeWords(run)} (${run.status})`)
    console.log(`  Customer  ${run.customer_name ?? run.customer_id}${run.customer_name ? ` (${run.customer_id})` : ''}`)
    console.log(`  Workflow  ${run.workflow_name ?? run.workflow_id} v${run.workflow_version}`)
    console.log(`  Amount    ${amountWords(run)}`)
    console.log(`  Started   ${run.created_at}${run.finished_at ? `, ended ${run.finished_at}` : ''}`)
    if (run.error) console.log(`  Why       ${run.error}`)
    if (run.waiting_reason) console.log(`  Waiting   ${run.waiting_reason}${run.waiting_until ? ` (until ${run.waiting_until})` : ''}`)
    console.log('  Steps')
    for (const s of run.steps) console.log(`    ${s.status.padEnd(9)} ${s.id} (${s.type})${s.error ? `: ${s.error}` : ''}`)
  })

/** Registers a staff action on a run: POST /v1/runs/:id/<verb> with the options as its body. */
function runAction(name: string, description: string, verb: string, options: [flags: string, help: string][], body: (o: Record<string, string | boolean | undefined>) => Record<string, unknown>): void {
  const cmd = runs.command(`${name} <id>`).description(description)
  for (const [flags, help] of options) cmd.option(flags, help)
  cmd.addOption(urlOpt()).addOption(keyOpt()).action(async (id: string, o: Record<string, string | boolean | undefined>) => {
    const run = (await client(o as { url?: string; key?: string }).request('POST', `/v1/runs/${encodeURIComponent(id)}/${verb}`, body(o))).body as RunSummary
    console.log(`${run.id}: ${outcomeWords(run)} (${run.status})${run.error ? ` — ${run.error}` : ''}`)
  })
}
const by = (o: Record<string, string | boolean | undefined>) => (typeof o.by === 'string' ? { by: o.by } : {})
runAction('mark-paid', 'Record that the run\'s payment came in outside Recoup; the run ends as recovered', 'mark-paid',
  [['--amount <minor>', 'amount received, in minor units (default: what is due)'], ['--note <text>', 'e.g. "bank transfer, ref. 1234"'], ['--by <name>', 'who you are']],
  (o) => ({ ...(typeof o.amount === 'string' ? { amount: Number(o.amount) } : {}), ...(typeof o.note === 'string' ? { note: o.note } : {}), ...by(o) }))
runAction('skip-step', 'Skip the failed or waiting step the run is on; it goes on with the next one', 'skip-step',
  [['--step <id>', 'the step to skip (must be the one the run is on)'], ['--note <text>', 'why'], ['--by <name>', 'who you are']],
  (o) => ({ ...(typeof o.step === 'string' ? { step_id: o.step } : {}), ...(typeof o.note === 'string' ? { note: o.note } : {}), ...by(o) }))
runAction('retry', 'Resume a failed run from its failed step', 'retry',
  [['--latest', 'move it to the workflow\'s newest version first']],
  (o) => (o.latest ? { latest_version: true } : {}))
runAction('cancel', 'Cancel a running or waiting run', 'cancel',
  [['--reason <text>', 'why (kept on the run)'], ['--by <name>', 'who you are']],
  (o) => ({ ...(typeof o.reason === 'string' ? { reason: o.reason } : {}), ...by(o) }))

const keys = program.command('keys').description('Manage API keys')
keys
  .command('create')
  .description('Create an API key directly in the database (stop an embedded server first, or use POST /v1/keys)')
  .option('--name <name>', 'what the key is for', 'cli')
  .action(async (o: { name: string }) => {
    const config = loadConfig()
    const { migrate, openStore } = await loadStore()
    const { createApiKey } = await import('../store/repos/api-keys.js')
    const store = await openStore({ url: config.databaseUrl })
    try {
      await migrate(store)
      const k = await createApiKey(store.db, o.name)
      console.log(k.key)
    } finally {
      await store.close()
    }
  })

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof RecoupError || err instanceof Error ? err.message : String(err)
  console.error(`recoup: ${message}`)
  process.exit(1)
})
