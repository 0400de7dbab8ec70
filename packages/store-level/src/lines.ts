/**
 * Splits a stream of text chunks into lines (without their `\n`), in time linear in the text:
 * a line split over many chunks (a reply of thousands of trials) is joined once, when it ends.
 * `onLine` returning `false` stops the splitting (the connection is being closed).
 */
export function lineSplitter(onLine: (line: string) => boolean | undefined): { push(chunk: string): void; pendingLength(): number } {
  let pieces: string[] = []
  let pending = 0
  return {
    push(chunk) {
      let from = 0
      for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', from)) {
        pieces.push(chunk.slice(from, end))
        const line = pieces.join('')
        pieces = []
        pending = 0
        from = end + 1
        if (onLine(line) === false) return
      }
      if (from < chunk.length) {
        pieces.push(chunk.slice(from))
        pending += chunk.length - from
      }
    },
    /** Characters received since the last complete line. */
    pendingLength: () => pending,
  }
}
