import { niceTicks, scale } from '../../lib/chart'

export interface Series {
  name: string
  className: string
  values: number[]
}

interface Props {
  title: string
  labels: string[]
  series: Series[]
  format: (v: number) => string
  formatTick: (v: number) => string
}

const W = 640
const H = 260
const PAD = { l: 64, r: 16, t: 16, b: 40 }

/** A small responsive SVG line chart; a visually hidden table carries the same data for screen readers. */
export function LineChart({ title, labels, series, format, formatTick }: Props) {
  const max = Math.max(0, ...series.flatMap((s) => s.values))
  const ticks = niceTicks(max)
  const top = ticks[ticks.length - 1] ?? 1
  const iw = W - PAD.l - PAD.r
  const ih = H - PAD.t - PAD.b
  const x = (i: number) => PAD.l + (labels.length <= 1 ? iw / 2 : (i / (labels.length - 1)) * iw)
  const y = (v: number) => PAD.t + ih - scale(v, top, ih)
  const every = Math.max(1, Math.ceil(labels.length / 6))
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} preserveAspectRatio="xMidYMid meet">
        {ticks.map((t) => (
          <g key={t}>
            <line className="grid" x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} />
            <text className="tick" x={PAD.l - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">{formatTick(t)}</text>
          </g>
        ))}
        {labels.map((l, i) => (i % every === 0 || (i === labels.length - 1 && i % every >= every / 2) ? (
          <text key={l + i} className="tick" x={x(i)} y={H - PAD.b + 18} textAnchor="middle">{l.slice(5)}</text>
        ) : null))}
        {series.map((s) => (
          <g key={s.name} className={s.className}>
            <polyline fill="none" strokeWidth={2.5} points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
            {s.values.map((v, i) => <circle key={i} cx={x(i)} cy={y(v)} r={3}><title>{`${labels[i]}: ${s.name} ${format(v)}`}</title></circle>)}
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        {series.map((s) => <span key={s.name} className={`legend-item ${s.className}`}>{s.name}</span>)}
      </figcaption>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead><tr><th scope="col">Date</th>{series.map((s) => <th key={s.name} scope="col">{s.name}</th>)}</tr></thead>
        <tbody>{labels.map((l, i) => <tr key={l + i}><th scope="row">{l}</th>{series.map((s) => <td key={s.name}>{format(s.values[i] ?? 0)}</td>)}</tr>)}</tbody>
      </table>
    </figure>
  )
}
