/** What `h` accepts as children: nodes, text, and nothing (skipped). */
export type Child = Node | string | number | null | undefined | false

/** Attributes (`class`, `title`, `data-*` …) and event listeners (`onclick` …) of an element. */
export type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>

/** Creates an element: `h('button', { class: 'primary', onclick: go }, 'Go')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') el.addEventListener(key.slice(2), value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

/** Appends children to `parent`, skipping empty ones. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)))
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = ''
  append(parent, children)
}

/** A titled card section of a page; `body` holds its content. */
export function section(title: string, cls: string, ...extra: Child[]): { root: HTMLElement; body: HTMLElement; tools: HTMLElement } {
  const tools = h('div', { class: 'tools' })
  const body = h('div', { class: 'body' })
  const root = h('section', { class: `view ${cls}`, 'data-view': cls }, h('header', {}, h('h2', {}, title), ...extra, tools), body)
  return { root, body, tools }
}
