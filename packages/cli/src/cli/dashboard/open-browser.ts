import { spawn } from 'node:child_process'

/** The system's "open this URL" command, by platform. */
function opener(url: string): [string, string[]] {
  if (process.platform === 'darwin') return ['open', [url]]
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""', url]]
  return ['xdg-open', [url]]
}

/**
 * Opens `url` in the system's browser with the platform's opener (`open`, `start`, `xdg-open`),
 * detached. Resolves with null once started, or with why it could not start (no opener installed).
 */
export async function openBrowser(url: string): Promise<string | null> {
  const [command, args] = opener(url)
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' })
    await new Promise<void>((ok, fail) => {
      child.once('spawn', ok)
      child.once('error', fail)
    })
    child.unref()
    return null
  } catch (err) {
    return `could not start ${command} (${(err as Error).message}); open the URL above yourself`
  }
}
