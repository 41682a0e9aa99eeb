// The comparison as a picture: cumulative recovered amount over the days after each failure, one
// line per policy. Plain SVG written by hand (no chart library).
import type { PolicyOutcome } from './report.js'

const COLORS = ['#1d4ed8', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d']

/** An SVG document plotting each outcome's `curve` (minor units per day). */
export function recoveryPlot(outcomes: readonly PolicyOutcome[], options: { currency: string; title: string }): string {
  const W = 860
  const H = 500
  const m = { left: 90, right: 180, top: 50, bottom: 60 }
  const days = Math.max(1, ...outcomes.map((o) => o.curve.length - 1))
  const failed = Math.max(1, ...outcomes.map((o) => o.failedAmount))
  const top = niceCeil(Math.max(1, ...outcomes.flatMap((o) => o.curve)) / 100)
  const x = (d: number) => m.left + (d / days) * (W - m.left - m.right)
  const y = (major: number) => H - m.bottom - (major / top) * (H - m.top - m.bottom)
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`)
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  parts.push(`<text x="${m.left}" y="28" font-size="16" font-weight="600">${escape(options.title)}</text>`)
  // Grid and axes.
  for (let i = 0; i <= 5; i++) {
    const v = (top * i) / 5
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/>`)
    parts.push(`<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#374151">${label(v)}</text>`)
  }
  const step = days <= 14 ? 1 : days <= 40 ? 5 : 10
  for (let d = 0; d <= days; d += step) {
    parts.push(`<line x1="${x(d).toFixed(1)}" x2="${x(d).toFixed(1)}" y1="${m.top}" y2="${H - m.bottom}" stroke="#f3f4f6"/>`)
    parts.push(`<text x="${x(d).toFixed(1)}" y="${H - m.bottom + 18}" text-anchor="middle" fill="#374151">${d}</text>`)
  }
  parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#111827"/>`)
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#111827"/>`)
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 18}" text-anchor="middle" fill="#111827">days after the payment failed</text>`)
  parts.push(`<text transform="translate(22 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#111827">recovered (${escape(options.currency)}, cumulative)</text>`)
  // One line per policy, with its share of the failed amount in the legend.
  outcomes.forEach((o, i) => {
    const color = COLORS[i % COLORS.length]!
    const points = o.curve.map((v, d) => `${x(d).toFixed(1)},${y(v / 100).toFixed(1)}`)
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5" points="${points.join(' ')}"/>`)
    const ly = m.top + 10 + i * 22
    parts.push(`<line x1="${W - m.right + 16}" x2="${W - m.right + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`)
    const share = ((o.curve[o.curve.length - 1] ?? 0) / failed) * 100
    parts.push(`<text x="${W - m.right + 46}" y="${ly + 4}" fill="#111827">${escape(o.figures.name)} (${share.toFixed(1)}%)</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v))
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= v) return k * p
  return 10 * p
}

function label(v: number): string {
  if (v >= 1_000_000) return `${(v / 1_000_000).toFixed(v % 1_000_000 ? 1 : 0)}M`
  if (v >= 1000) return `${(v / 1000).toFixed(v % 1000 ? 1 : 0)}k`
  return v.toFixed(0)
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
