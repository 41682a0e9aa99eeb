// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and self time
// by package / source file. Run alone: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]
import { readFileSync } from 'node:fs'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly startTime: number
  readonly endTime: number
  readonly samples?: readonly number[]
  readonly timeDeltas?: readonly number[]
}

export interface ProfileSummary {
  readonly totalMs: number
  readonly functions: { name: string; where: string; ms: number; pct: number }[]
  readonly groups: { group: string; ms: number; pct: number }[]
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length)
  const src = url.search(/\/(src|bench|test)\//)
  if (src >= 0) return url.slice(src + 1)
  return url.replace(/^file:\/\//, '')
}

/** Where a frame belongs: an npm package, one of our source dirs, node internals, or V8 itself. */
function groupOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame
  if (!url) {
    if (functionName === '(garbage collector)') return '(garbage collector)'
    if (functionName === '(idle)' || functionName === '(program)') return functionName
    return '(native / V8)'
  }
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  const src = /\/(src\/[^/]+)\//.exec(url)
  if (src) return src[1]
  return shortUrl(url)
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>() // node id → µs
  if (p.samples && p.timeDeltas) {
    // timeDeltas[i] is the time before sample i; attribute each interval to the sample that ends it.
    for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + Math.max(0, p.timeDeltas[i] ?? 0))
  } else {
    const per = (p.endTime - p.startTime) / Math.max(1, p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0))
    for (const n of p.nodes) self.set(n.id, (n.hitCount ?? 0) * per)
  }
  let total = 0
  let idle = 0
  const fns = new Map<string, { name: string; where: string; us: number }>()
  const groups = new Map<string, number>()
  for (const [id, us] of self) {
    const n = byId.get(id)
    if (!n) continue
    total += us
    if (n.callFrame.functionName === '(idle)') idle += us
    const name = n.callFrame.functionName || '(anonymous)'
    const where = n.callFrame.url ? `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''
    const key = `${name}@${where}`
    const f = fns.get(key) ?? { name, where, us: 0 }
    f.us += us
    fns.set(key, f)
    const g = groupOf(n)
    groups.set(g, (groups.get(g) ?? 0) + us)
  }
  const busy = total - idle
  const pct = (us: number) => (busy > 0 ? (us / busy) * 100 : 0)
  return {
    totalMs: busy / 1000,
    functions: [...fns.values()]
      .filter((f) => f.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, pct: pct(f.us) })),
    groups: [...groups.entries()]
      .filter(([g]) => g !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([group, us]) => ({ group, ms: us / 1000, pct: pct(us) })),
  }
}

export function formatProfile(s: ProfileSummary): string {
  const lines = [`  busy CPU in profile: ${(s.totalMs / 1000).toFixed(1)} s (percentages are of busy time, idle excluded)`, '  top self time by function:']
  for (const f of s.functions) lines.push(`    ${f.pct.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`)
  lines.push('  self time by package / source dir:')
  for (const g of s.groups) lines.push(`    ${g.pct.toFixed(1).padStart(5)}%  ${g.ms.toFixed(0).padStart(7)} ms  ${g.group}`)
  return lines.join('\n')
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const file = process.argv[2]
  if (!file) {
    console.error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]')
    process.exit(2)
  }
  console.log(formatProfile(summarizeProfile(file, Number(process.argv[3] ?? 25))))
}
