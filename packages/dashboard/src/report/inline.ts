const UNSAFE_IN_SCRIPT = /[<>&\u2028\u2029]/g

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` written as `\u003c`
 * etc. (so no `</script>` or `<!--` inside a string can end the element or change how it is
 * parsed), and U+2028/U+2029 escaped too. `JSON.parse` of the element's text gives the value back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_SCRIPT, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
}
