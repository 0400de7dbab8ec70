import type { Command } from 'commander'
import type { RunOverrides } from '../../jobs/drive-options.js'
import { getJob } from '../../jobs/job.js'
import { intArg } from '../args.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { dashboardBesideRun, type RunDashboardFlags } from '../dashboard/beside-run.js'
import { drive, leaseWaitMessage, reportFinished } from '../drive.js'
import { EXIT } from '../exit-codes.js'
import { Interrupts } from '../interrupts.js'
import { line } from '../io.js'

interface RunFlags extends RunDashboardFlags {
  trials?: number
  seed?: number
  sessionId?: string
  optimizer?: string
  parallelism?: number
  shared?: boolean
  json?: boolean
}

/** `cairn run <job>`: starts a session of a job (or resumes the job's fixed session). */
export function registerRun({ program, io, exit }: CommandKit): void {
  program
    .command('run')
    .description(
      "start a session of a job from the config; with a fixed session id (the job's `sessionId` or --session-id) an interrupted session is resumed and a finished one reported",
    )
    .argument('<job>', 'a job name from cairn.config.ts')
    .option('-n, --trials <n>', 'stop after this many trials (default: the job’s maxTrials)', intArg(0))
    .option('--seed <n>', 'seed of the optimizer’s random numbers (default: the job’s, else random)', intArg(Number.MIN_SAFE_INTEGER))
    .option('--session-id <id>', 'session id (default: the job’s sessionId, else <job>-<time>-<random>)')
    .option('--optimizer <name>', 'optimizer name from the config or built in: random, grid, tpe, cmaes, nsga2, few-shot')
    .option('-p, --parallelism <n>', 'trials evaluated at once', intArg(1, 1024))
    .option(
      '--shared',
      'let workers (`cairn worker <session>`, on this or other machines) evaluate the trials too; needs an fs: or dynamodb:// store',
    )
    .option('--json', 'print the result as JSON on stdout (progress goes to stderr)')
    .option('--dashboard', 'serve the live dashboard beside the run, in this process (needs @cairn/dashboard); it stops with the run')
    .option('--port <n>', 'the dashboard’s TCP port (default 4545; 0 for any free one)', intArg(0, 65_535))
    .option('--keep-dashboard', 'like --dashboard, but keep serving once the run is over, until Ctrl-C')
    .action(async (job: string, flags: RunFlags, cmd: Command) => {
      const interrupts = new Interrupts(() => io.exit(EXIT.INTERRUPTED)).install()
      try {
        await withCliContext(cmd, io, async (ctx) => {
          ctx.requireConfig(`run needs one for the job "${job}"`)
          const overrides: RunOverrides = {}
          if (flags.trials !== undefined) overrides.maxTrials = flags.trials
          if (flags.seed !== undefined) overrides.seed = flags.seed
          if (flags.sessionId !== undefined) overrides.sessionId = flags.sessionId
          if (flags.optimizer !== undefined) overrides.optimizer = flags.optimizer
          if (flags.parallelism !== undefined) overrides.parallelism = flags.parallelism
          if (flags.shared) overrides.evaluation = 'shared'
          const fixedId = flags.sessionId ?? getJob(ctx.cairn.config, job).sessionId
          const text = flags.json ? io.stderr : io.stdout
          const dashboard = await dashboardBesideRun(ctx, flags, text)
          try {
            const opened = await ctx.cairn.open(job, { ...overrides, onLeaseWait: (w) => line(text, leaseWaitMessage(w)) })
            if (opened.kind === 'finished') {
              const again =
                ctx.scriptCommand() !== null
                  ? `\`${ctx.scriptCommand()}\``
                  : `\`${ctx.command(['run', job, ...(flags.sessionId ? ['--session-id', flags.sessionId] : [])])}\``
              exit(await reportFinished(ctx, opened.head, flags.json === true, `\`${ctx.command(['rm', opened.head.sessionId])}\``, again))
              return
            }
            exit(
              await drive(ctx, opened.handle, interrupts, opened.kind, {
                json: flags.json === true,
                resumeCommand: ctx.command(['resume', opened.handle.id]),
                rerunResumes: fixedId !== undefined,
              }),
            )
            await dashboard?.keepIfAsked(interrupts)
          } finally {
            await dashboard?.close()
          }
        })
      } finally {
        interrupts.dispose()
      }
    })
}
