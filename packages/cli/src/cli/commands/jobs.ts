import type { Command } from 'commander'
import { CONFIG_FILES } from '../../config/load-config.js'
import type { JobDefinition } from '../../config/types.js'
import { defaultOptimizerRef, isAskTellJob, isProgramJob } from '../../jobs/job.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { line, printJson } from '../io.js'
import { table } from '../format.js'

function optimizerName(job: JobDefinition): string {
  const ref = defaultOptimizerRef(job)
  return typeof ref === 'string' ? ref : typeof ref === 'function' ? 'custom (factory)' : ref.id
}

/** `cairn jobs`: the jobs the config defines. */
export function registerJobs({ program, io, exit }: CommandKit): void {
  program
    .command('jobs')
    .description('list the jobs cairn.config.ts defines')
    .option('--json', 'print the jobs as JSON')
    .action((flags: { json?: boolean }, cmd: Command) =>
      withCliContext(cmd, io, async (ctx) => {
        const jobs = Object.entries(ctx.cairn.config.jobs ?? {}).map(([name, job]) => ({
          name,
          kind: isProgramJob(job) ? 'program' : isAskTellJob(job) ? 'ask-tell' : 'objective',
          optimizer: optimizerName(job),
          maxTrials: job.maxTrials ?? null,
          sessionId: job.sessionId ?? null,
          description: job.description ?? null,
        }))
        if (flags.json) printJson(io, { config: ctx.configPath, store: ctx.cairn.storeUri, jobs })
        else if (jobs.length === 0)
          line(
            io.stdout,
            ctx.configPath
              ? `${ctx.configPath} defines no jobs`
              : `no config file found in ${io.cwd} (looked for ${CONFIG_FILES.join(', ')}); it defines the jobs to run: create one or give --config <file>`,
          )
        else
          line(
            io.stdout,
            table(
              ['JOB', 'KIND', 'OPTIMIZER', 'TRIALS', 'SESSION', 'DESCRIPTION'],
              jobs.map((j) => [
                j.name,
                j.kind,
                j.optimizer,
                j.maxTrials === null ? '-' : String(j.maxTrials),
                j.sessionId ?? '(new each run)',
                j.description ?? '',
              ]),
            ),
          )
        exit(EXIT.OK)
      }),
    )
}
