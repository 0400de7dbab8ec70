import type { RecoveryEvent, RecoveryPolicy } from '@cairn/recovery'
import type { Command } from 'commander'
import { intArg } from '../args.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { score } from '../format.js'
import { Interrupts } from '../interrupts.js'
import { line } from '../io.js'

function errorText(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)
}

/** One line per recovery event. */
export function describeEvent(e: RecoveryEvent): string {
  switch (e.type) {
    case 'detected':
      return `detected ${e.sessionId}: ${e.reason === 'corrupt' ? 'its head is corrupt' : 'running, but its lease expired (its worker died)'}`
    case 'started':
      return `recovering ${e.sessionId} (job ${e.job ?? '-'}, attempt ${e.attempt})`
    case 'completed':
      return `${e.sessionId}: driver stopped, session ${e.result.status} after ${e.result.progress.attempts} trials (best ${score(e.result.bestScore)})`
    case 'failed':
      return `${e.sessionId}: attempt ${e.attempt} failed: ${errorText(e.error)}${e.willRetry && e.nextAttemptAt ? `; retrying in ${Math.ceil((e.nextAttemptAt - e.at) / 1000)} s` : ''}`
    case 'exhausted':
      return `${e.sessionId}: giving up (${e.reason}) after ${e.attempts} attempts: ${errorText(e.error)}`
    case 'skipped':
      return `${e.sessionId}: skipped (${e.reason})`
    case 'poll_error':
      return `poll error (${e.phase}): ${errorText(e.error)}`
    case 'rebuilt':
      return `${e.sessionId}: damaged head rebuilt from its ${e.trials} trials (now ${e.status}); the damaged bytes are kept at ${e.keptAs}`
  }
}

/** `cairn monitor`: the recovery monitor as a long-running worker. */
export function registerMonitor({ program, io, exit }: CommandKit): void {
  program
    .command('monitor')
    .description(
      'watch the store and resume sessions whose worker died, with the config’s jobs (a long-running worker; Ctrl-C stops it and hands its sessions back)',
    )
    .option('--poll-interval <ms>', 'time between two looks at the store (default 5000)', intArg(1))
    .option('--max-concurrent <n>', 'sessions driven at once (default 4)', intArg(1))
    .option('--json', 'print events as JSON lines')
    .action(async (flags: { pollInterval?: number; maxConcurrent?: number; json?: boolean }, cmd: Command) => {
      const interrupts = new Interrupts(() => io.exit(EXIT.INTERRUPTED)).install()
      try {
        await withCliContext(cmd, io, async (ctx) => {
          ctx.requireConfig('monitor needs one for the jobs of the sessions it resumes')
          const policy: RecoveryPolicy = {}
          if (flags.pollInterval !== undefined) policy.pollIntervalMs = flags.pollInterval
          if (flags.maxConcurrent !== undefined) policy.maxConcurrent = flags.maxConcurrent
          const monitor = await ctx.cairn.monitor(policy)
          const jobs = ctx.cairn.jobs()
          const stopped = new Promise<void>((resolve) => {
            interrupts.onSoft(() => {
              line(io.stderr, 'stopping: handing back the sessions this monitor drives… (press Ctrl-C again to quit at once)')
              void monitor.stop().finally(resolve)
            })
          })
          const events = (async () => {
            for await (const e of monitor.events()) {
              if (flags.json)
                line(
                  io.stdout,
                  JSON.stringify({
                    ...e,
                    error: e.type === 'failed' || e.type === 'exhausted' || e.type === 'poll_error' ? errorText(e.error) : undefined,
                  }),
                )
              else line(io.stdout, `${new Date(e.at).toISOString().slice(11, 19)} ${describeEvent(e)}`)
            }
          })()
          monitor.start()
          line(
            io.stderr,
            `monitoring ${ctx.cairn.storeUri} for sessions of ${jobs.length > 0 ? jobs.map((j) => `"${j}"`).join(', ') : 'no jobs (define jobs in cairn.config.ts)'}; Ctrl-C to stop`,
          )
          await stopped
          await events.catch(() => undefined)
          line(io.stderr, 'monitor stopped')
          exit(EXIT.OK)
        })
      } finally {
        interrupts.dispose()
      }
    })
}
