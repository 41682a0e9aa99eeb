type Json = Record<string, unknown>
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {})
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : [])
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Says in words what changed between two workflow definitions (for the version history). */
export function summarizeChanges(before: unknown, after: unknown): string[] {
  const a = obj(before)
  const b = obj(after)
  const out: string[] = []
  if (!same(a.name, b.name)) out.push(`Renamed to “${String(b.name)}”`)
  if (!same(a.status, b.status)) out.push(`Status ${String(a.status)} → ${String(b.status)}`)
  const ta = obj(a.trigger)
  const tb = obj(b.trigger)
  if (!same(ta.type, tb.type)) out.push(`Trigger ${String(ta.type)} → ${String(tb.type)}`)
  if (!same(ta.products, tb.products)) {
    const ps = Array.isArray(tb.products) ? tb.products.map(String) : []
    out.push(`Products → ${ps.includes('*') ? 'any product' : ps.join(', ')}`)
  }
  if (!same(ta.conditions, tb.conditions)) out.push('Conditions changed')
  if (!same(a.exit_on, b.exit_on)) out.push('Exit events changed')
  const sa = new Map(list(a.steps).map((s) => [String(s.id), s]))
  const sb = new Map(list(b.steps).map((s) => [String(s.id), s]))
  for (const [id, s] of sb) {
    if (!sa.has(id)) out.push(`Added step ${id} (${String(s.type)})`)
    else if (!same(sa.get(id), s)) out.push(`Edited step ${id}`)
  }
  for (const id of sa.keys()) if (!sb.has(id)) out.push(`Removed step ${id}`)
  const kept = (m: Map<string, Json>, other: Map<string, Json>) => [...m.keys()].filter((k) => other.has(k))
  if (!same(kept(sa, sb), kept(sb, sa))) out.push('Reordered steps')
  return out.length ? out : ['No change to the definition']
}
