import { scale } from '../../lib/chart'

export interface Bar {
  label: string
  value: number
  /** Shown after the bar, e.g. "46% of $1,200". */
  text: string
}

/** Horizontal bars in HTML (they wrap long labels and fit any width better than SVG text). */
export function BarList({ title, bars, max }: { title: string; bars: Bar[]; max?: number }) {
  const top = max ?? Math.max(0, ...bars.map((b) => b.value))
  if (bars.length === 0) return <p className="empty">No data for this period.</p>
  return (
    <ul className="bar-list" aria-label={title}>
      {bars.map((b, i) => (
        <li key={b.label + i}>
          <span className="bar-label wrap">{b.label}</span>
          <span className="bar-track" aria-hidden="true">
            <span className="bar-fill" style={{ width: `${scale(b.value, top, 100)}%` }} />
          </span>
          <span className="bar-text">{b.text}</span>
        </li>
      ))}
    </ul>
  )
}
