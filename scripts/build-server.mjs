#!/usr/bin/env node
// Bundles the server and CLI (src/**/*.ts) into dist/recoup.mjs, so processes start without
// compiling TypeScript on every import: a worker that replaces a dead one is up in a fraction of
// the time. Packages stay in node_modules (better-sqlite3 is native). bin/recoup.js runs the
// bundle while it is newer than every file under src/, and the sources through tsx otherwise.
import { renameSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// dist/ is one level below the root, as src/ is: code that finds files from its own URL
// (src/app.ts looks for dist/web) works the same bundled or not.
const out = join(root, 'dist', 'recoup.mjs')
const tmp = `${out}.${process.pid}.tmp`
const started = Date.now()
await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: tmp,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  sourcesContent: false,
  logLevel: 'warning',
})
// Atomic: a process starting meanwhile sees the old bundle or the new one, never half of one.
renameSync(tmp, out)
if (!process.argv.includes('--quiet')) console.log(`built ${out} in ${Date.now() - started} ms`)
