/** Round axis ticks from 0 to at least `max`: `niceTicks(937)` → [0, 200, 400, 600, 800, 1000]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1]
  const raw = max / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  for (let v = 0; v < max + step - 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}

/** Linear map from [0, domainMax] onto [0, size]. */
export function scale(value: number, domainMax: number, size: number): number {
  if (!(domainMax > 0)) return 0
  return (Math.max(0, value) / domainMax) * size
}
