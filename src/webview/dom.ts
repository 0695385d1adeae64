// The wizard page's DOM helpers: elements built from text nodes only (the page never parses HTML, whatever the
// text's origin), tables with row headers, badges, image tags, the sticky footer of a step's buttons, and the
// step forms and fields with inline, as-you-type messages.
import { imageTag } from '../cluster/images.js';
import type { ContainerImage } from '../cluster/okg.js';
export type Child = Node | string | number | undefined | false;
export type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

export function table(caption: string, head: string[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return h(
    'table',
    attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map(c => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...rows.map(r => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))),
    ),
  );
}

/** The step's buttons, in a footer that stays in view (position: sticky) however long the step is. */
export function actions(...buttons: HTMLButtonElement[]): HTMLElement {
  return h('div', { class: 'actions', role: 'group', 'aria-label': 'Wizard actions' }, ...buttons);
}

/** A coloured label (`kind` picks the colour: retire, protected, create, keep, done, failed…). */
export function badge(text: string, kind: string = text): HTMLElement {
  return h('span', { class: `badge b-${kind.replace(/[^a-z-]/g, '')}` }, text);
}

/** Images as their tags ("1.12.2-new"), the full reference on hover; one container shows no name. */
export function imageTags(images: readonly ContainerImage[]): HTMLElement {
  const full = images.map(c => `${c.container}=${c.image}`).join(', ');
  const text =
    images.length === 1
      ? imageTag(images[0].image)
      : images.map(c => `${c.container}: ${imageTag(c.image)}`).join(' · ');
  return h('code', { class: 'tag', title: full }, text);
}

/** A form whose submit (button or Enter) runs `next` when `valid()` says so; else focuses the first problem. */
export function stepForm(
  children: Child[],
  next: () => void,
  valid: () => boolean,
  buttons: HTMLButtonElement[],
): HTMLFormElement {
  const form = h('form', { novalidate: true });
  append(form, children);
  form.append(actions(...buttons));
  const submit = (): void => {
    if (valid()) {
      next();
      return;
    }
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  };
  // The panel runs with forms disabled (enableForms: false: the frame is sandboxed without allow-forms), so
  // the browser never fires `submit`: the default button and Enter in a field call the step directly.
  for (const b of buttons) {
    if (b.getAttribute('type') !== 'submit') continue;
    b.setAttribute('type', 'button');
    b.addEventListener('click', submit);
  }
  form.addEventListener('keydown', e => {
    if (e.key === 'Enter' && e.target instanceof HTMLInputElement) {
      e.preventDefault();
      submit();
    }
  });
  form.addEventListener('submit', e => {
    e.preventDefault();
    submit();
  });
  return form;
}

export interface FieldOptions {
  id: string;
  label: string;
  value: string;
  hint?: string;
  /** The current value, shown as "Current: …" instead of a hint. */
  current?: string;
  inputmode?: string;
  check: (v: string) => string | undefined;
  onInput: (v: string) => void;
}

/** A labelled text field with an inline message, checked as the operator types. */
export function field(o: FieldOptions): { el: HTMLElement; validate(): boolean } {
  const input = h('input', {
    id: o.id,
    type: 'text',
    value: o.value,
    spellcheck: 'false',
    autocomplete: 'off',
    inputmode: o.inputmode,
    'aria-describedby': `${o.id}-msg${o.hint || o.current ? ` ${o.id}-hint` : ''}`,
  });
  input.value = o.value;
  const msg = h('p', { id: `${o.id}-msg`, class: 'field-error', 'aria-live': 'polite' });
  const validate = (): boolean => {
    const problem = o.check(input.value);
    msg.textContent = problem ?? '';
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return !problem;
  };
  input.addEventListener('input', () => {
    o.onInput(input.value);
    validate();
  });
  const hint =
    o.current !== undefined
      ? h('p', { id: `${o.id}-hint`, class: 'hint' }, 'Current: ', h('code', {}, o.current))
      : o.hint
        ? h('p', { id: `${o.id}-hint`, class: 'hint' }, o.hint)
        : undefined;
  validate();
  return { el: h('div', { class: 'field' }, h('label', { for: o.id }, o.label), input, hint, msg), validate };
}
