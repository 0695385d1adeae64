// The run's picture: rooms by version and state over time (old, marked, reclaimed, new not Ready, new Ready) as
// stacked areas in inline SVG, with a legend that gives each count as text (the picture's text alternative).
// Updated in place as samples arrive: five paths are rewritten, nothing else.
import { SERIES, type Sample } from './feed.js';
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 140;

export const SERIES_TEXT: Record<(typeof SERIES)[number], string> = {
  old: 'Old',
  marked: 'Old, marked',
  reclaimed: 'Old, reclaimed',
  newNotReady: 'New, not Ready',
  newReady: 'New, Ready',
};

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

export function roomsChart(id: string): { el: HTMLElement; update(samples: readonly Sample[]): void } {
  const paths = SERIES.map(k => svg('path', { class: `series s-${k}`, d: '' }));
  const plot = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: 'none',
    class: 'chart-plot',
    'aria-hidden': 'true',
    focusable: 'false',
  });
  plot.append(...paths);
  const values = new Map(SERIES.map(k => [k, h('span', { class: 'value' })]));
  const legend = h(
    'ul',
    { class: 'legend', id: `${id}-legend` },
    ...SERIES.map(k =>
      h('li', {}, h('span', { class: `swatch s-${k}`, 'aria-hidden': 'true' }), `${SERIES_TEXT[k]}: `, values.get(k)),
    ),
  );
  const axis = h(
    'div',
    { class: 'chart-axis', 'aria-hidden': 'true' },
    h('span', {}, '0 s'),
    h('span', { class: 'chart-end' }, ''),
  );
  const fig = h(
    'figure',
    { class: 'chart', id, 'aria-labelledby': `${id}-caption` },
    h('figcaption', { id: `${id}-caption` }, 'Rooms by version and state over time'),
    plot,
    axis,
    legend,
  );

  function update(samples: readonly Sample[]): void {
    const last = samples[samples.length - 1];
    for (const k of SERIES) values.get(k)!.textContent = last ? last[k].toLocaleString('en-US') : '0';
    if (!last) return;
    const tMax = Math.max(1, last.t);
    const yMax = Math.max(1, ...samples.map(s => SERIES.reduce((a, k) => a + s[k], 0)));
    const x = (t: number) => (t / tMax) * W;
    const y = (v: number) => H - (v / yMax) * H;
    // Stacked from the bottom in SERIES order; counts hold until the next sample (steps, not slopes).
    const below = samples.map(() => 0);
    SERIES.forEach((k, si) => {
      const top = samples.map((s, i) => below[i] + s[k]);
      const line = (vals: number[]) =>
        vals.flatMap((v, i) => {
          const xi = x(samples[i].t);
          const xn = i + 1 < samples.length ? x(samples[i + 1].t) : W;
          return [`${xi.toFixed(1)},${y(v).toFixed(1)}`, `${xn.toFixed(1)},${y(v).toFixed(1)}`];
        });
      const upper = line(top);
      const lower = line([...below]).reverse();
      paths[si].setAttribute('d', `M${upper.join('L')}L${lower.join('L')}Z`);
      top.forEach((v, i) => {
        below[i] = v;
      });
    });
    axis.lastElementChild!.textContent = seconds(last.t);
  }
  return { el: fig, update };
}
