const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for HTML and SVG (element content and attribute values). */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
}

/** A coordinate rounded to 0.1 px (smaller files, same picture). */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10)
}
