import type { Lang } from '../lib/i18n';

/** A small server-rendered bar chart (inline SVG, no script): one bar a day, the largest value labelled. */
export function BarChart({ title, data, format, lang = 'vi' }: { title: string; data: { label: string; value: number }[]; format: (n: number) => string; lang?: Lang }) {
  const w = 300;
  const h = 90;
  const max = Math.max(1, ...data.map((d) => d.value));
  const bw = w / Math.max(1, data.length);
  const total = data.reduce((s, d) => s + d.value, 0);
  return (
    <figure className="chart">
      <figcaption>
        {title} <span className="muted">({lang === 'en' ? 'max' : 'tối đa'} {format(max)})</span>
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h + 14}`} role="img" aria-label={`${title}: ${format(total)}`} preserveAspectRatio="none">
        {data.map((d, i) => {
          const bh = Math.round((d.value / max) * h * 10) / 10;
          return (
            <rect key={d.label} x={i * bw + 1} y={h - bh} width={Math.max(1, bw - 2)} height={bh} fill="#2f6b3a">
              <title>{`${d.label}: ${format(d.value)}`}</title>
            </rect>
          );
        })}
        <line x1="0" y1={h + 0.5} x2={w} y2={h + 0.5} stroke="#b9c4bb" />
        {data.length > 0 && (
          <>
            <text x="0" y={h + 12} fontSize="9" fill="#5d6a61">
              {data[0].label}
            </text>
            <text x={w} y={h + 12} fontSize="9" fill="#5d6a61" textAnchor="end">
              {data[data.length - 1].label}
            </text>
          </>
        )}
      </svg>
    </figure>
  );
}
