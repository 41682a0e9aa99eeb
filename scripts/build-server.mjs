#!/usr/bin/env node
// Bundles the server and CLI (src/**/*.ts) into dist/recoup.mjs, so processes start without
// compiling TypeScript on every import: a worker that replaces a dead one is up in a fraction of
// the time. Packages stay in node_modules (better-sqlite3 is native). bin/recoup.js runs the
// bundle while it is newer than every file under src/, and the sources through tsx otherwise.
import { renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// dist/ is one level below the root, as src/ is: code that finds files from its own URL
// (src/app.ts looks for dist/web) works the same bundled or not.
const dist = join(root, 'dist')
// Two entries: the CLI and server, and the engine thread's entry, which the server starts from
// the bundle's own folder (src/runs/engine-thread.ts).
const entries = [
  ['engine-worker', join(root, 'src', 'runs', 'engine-worker.ts')],
  ['recoup', join(root, 'src', 'cli', 'main.ts')],
]
const started = Date.now()
const tmp = join(dist, `.build-${process.pid}`)
await build({
  entryPoints: Object.fromEntries(entries),
  outdir: tmp,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  sourcesContent: false,
  logLevel: 'warning',
})
// Atomic per file, the engine thread's first: bin/recoup.js trusts the bundle by recoup.mjs's
// time, so once recoup.mjs is new its worker is new too. A process starting meanwhile sees the
// old bundle or the new one, never half of one.
for (const [name] of entries) renameSync(join(tmp, `${name}.mjs`), join(dist, `${name}.mjs`))
rmSync(tmp, { recursive: true, force: true })
if (!process.argv.includes('--quiet')) console.log(`built ${join(dist, 'recoup.mjs')} and its engine thread in ${Date.now() - started} ms`)
