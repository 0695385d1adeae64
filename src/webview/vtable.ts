// A table for thousands of rows: only the rows in view are in the DOM (fixed row height, spacer rows above and
// below, row indexes for assistive technology), a filter field when there are many, and a line saying how many
// rows show. Small tables render every row. Cells are built from text nodes (dom.ts).
import { h, type Child } from './dom.js';

export interface Column<R> {
  title: string;
  cell(r: R): Child;
  /** The text the filter matches (default: none). */
  text?(r: R): string;
  /** A class for the column's cells (widths, no-wrap). */
  cls?: string;
}

export interface VirtualTable {
  el: HTMLElement;
  /** Re-reads the rows and re-renders what is in view (cheap: the visible rows only). */
  refresh(): void;
}

const ROW_PX = 24;
/** Up to this many rows, every row is in the DOM and there is no filter. */
const SMALL = 50;
const OVERSCAN = 10;

const count = (n: number): string => n.toLocaleString('en-US');

export function virtualTable<R>(o: {
  id: string;
  caption: string;
  columns: Column<R>[];
  rows: () => readonly R[];
  noun: [string, string];
  /** The first column is a row header (room names). */
  rowHeader?: boolean;
}): VirtualTable {
  const cols = o.columns;
  const filterId = `${o.id}-filter`;
  const filter = h('input', {
    id: filterId,
    type: 'search',
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: `Filter ${o.noun[1]}`,
    'aria-controls': o.id,
  });
  const shown = h('p', { class: 'hint vt-count', id: `${o.id}-count` });
  const tbody = h('tbody');
  const table = h(
    'table',
    { id: o.id, 'aria-describedby': `${o.id}-count` },
    h('caption', {}, o.caption),
    h('thead', {}, h('tr', { 'aria-rowindex': 1 }, ...cols.map(c => h('th', { scope: 'col', class: c.cls }, c.title)))),
    tbody,
  );
  const scroller = h('div', { class: 'vt-scroll' }, table);
  const bar = h(
    'div',
    { class: 'vt-bar' },
    h('label', { for: filterId, class: 'vt-label' }, `Filter ${o.noun[1]}`),
    filter,
    shown,
  );
  const el = h('div', { class: 'vt', id: `${o.id}-box` }, bar, scroller);

  let all: readonly R[] = [];
  let rows: readonly R[] = [];
  let needle = '';
  let drawn = '';
  const matches = (r: R): boolean => cols.some(c => c.text?.(r).toLowerCase().includes(needle));

  const rowEl = (r: R, i: number): HTMLTableRowElement =>
    h(
      'tr',
      { 'aria-rowindex': i + 2 },
      ...cols.map((c, j) =>
        h(
          j === 0 && o.rowHeader ? 'th' : 'td',
          { ...(j === 0 && o.rowHeader ? { scope: 'row' } : {}), class: c.cls },
          c.cell(r),
        ),
      ),
    );

  const spacer = (px: number): HTMLTableRowElement => {
    const td = h('td', { colspan: cols.length });
    const tr = h('tr', { class: 'vt-spacer', 'aria-hidden': 'true' }, td);
    td.style.height = `${px}px`; // CSSOM, not a style attribute: allowed by the CSP
    return tr;
  };

  function draw(force = false): void {
    const small = rows.length <= SMALL;
    const top = scroller.scrollTop;
    const view = scroller.clientHeight || ROW_PX * 20;
    const first = small ? 0 : Math.max(0, Math.floor(top / ROW_PX) - OVERSCAN);
    const last = small ? rows.length : Math.min(rows.length, Math.ceil((top + view) / ROW_PX) + OVERSCAN);
    const key = `${first}:${last}:${rows.length}`;
    if (!force && key === drawn) return;
    drawn = key;
    const out: HTMLTableRowElement[] = [];
    if (first > 0) out.push(spacer(first * ROW_PX));
    for (let i = first; i < last; i++) out.push(rowEl(rows[i], i));
    if (last < rows.length) out.push(spacer((rows.length - last) * ROW_PX));
    tbody.replaceChildren(...out);
  }

  function refresh(): void {
    all = o.rows();
    rows = needle ? all.filter(matches) : all;
    const big = all.length > SMALL;
    bar.hidden = !big;
    el.classList.toggle('vt-big', big);
    // A box that scrolls is a region the keyboard can reach (and scroll); a small table is just a table.
    if (big) {
      scroller.setAttribute('tabindex', '0');
      scroller.setAttribute('role', 'region');
      scroller.setAttribute('aria-label', o.caption);
    } else {
      scroller.removeAttribute('tabindex');
      scroller.removeAttribute('role');
      scroller.removeAttribute('aria-label');
    }
    table.setAttribute('aria-rowcount', String(rows.length + 1));
    shown.textContent = needle
      ? `${count(rows.length)} of ${count(all.length)} ${o.noun[1]} match`
      : `${count(all.length)} ${all.length === 1 ? o.noun[0] : o.noun[1]}`;
    draw(true);
  }

  let frame = 0;
  scroller.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
    });
  });
  filter.addEventListener('input', () => {
    needle = filter.value.trim().toLowerCase();
    scroller.scrollTop = 0;
    refresh();
  });
  refresh();
  return { el, refresh };
}
