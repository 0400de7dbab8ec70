import type { Json, TellResult } from '@cairn/core'
import type { Command } from 'commander'
import type { StartJobOptions } from '../../cairn-options.js'
import { JsonArgumentError } from '../../errors.js'
import { intArg } from '../args.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { line, printJson } from '../io.js'

interface CreateFlags {
  trials?: number
  seed?: number
  sessionId?: string
  optimizer?: string
  json?: boolean
}

/** A JSON command-line argument (a number is JSON too). */
function parseJsonArg(what: string, given: string, reason: string): Json {
  try {
    return JSON.parse(given) as Json
  } catch {
    throw new JsonArgumentError(what, given, reason)
  }
}

const RESULT_SHAPES = 'a number or JSON: 0.42, {"score":0.42,"stats":{…}}, or {"error":"what failed"}'

/**
 * `cairn create <job>`, `cairn ask <id>`, `cairn tell <id> <trialIdx> <result>` and
 * `cairn enqueue <id> <candidate>`: sessions whose trials are evaluated outside Cairn (any
 * language, a cluster job, a person), through the store, safe from many shells at once.
 */
export function registerAskTell({ program, io, exit }: CommandKit): void {
  program
    .command('create')
    .description(
      'create a session of a job driven by ask/tell (`cairn ask` / `cairn tell`): its space, optimizer, seed and limits; an objective, if the job has one, is not used',
    )
    .argument('<job>', 'a job name from cairn.config.ts (a job with a space alone is an ask/tell job)')
    .option('-n, --trials <n>', 'complete after this many trials are told (default: the job’s maxTrials, else no limit)', intArg(0))
    .option('--seed <n>', 'seed of the optimizer’s random numbers (default: the job’s, else random)', intArg(Number.MIN_SAFE_INTEGER))
    .option('--session-id <id>', 'session id (default: <job>-<time>-<random>)')
    .option('--optimizer <name>', 'optimizer name from the config or built in: random, grid, tpe, nsga2 (one with ask/tell)')
    .option('--json', 'print {"sessionId": …} as JSON')
    .action((job: string, flags: CreateFlags, cmd: Command) =>
      withCliContext(cmd, io, async (ctx) => {
        ctx.requireConfig(`create needs one for the job "${job}"`)
        const options: StartJobOptions = {}
        if (flags.trials !== undefined) options.maxTrials = flags.trials
        if (flags.seed !== undefined) options.seed = flags.seed
        if (flags.sessionId !== undefined) options.sessionId = flags.sessionId
        if (flags.optimizer !== undefined) options.optimizer = flags.optimizer
        const handle = await ctx.cairn.create(job, options)
        if (flags.json) printJson(io, { sessionId: handle.id })
        else line(io.stdout, `created session "${handle.id}" (ask/tell); next: ${ctx.command(['ask', handle.id, '--json'])}`)
        exit(EXIT.OK)
      }),
    )

  program
    .command('ask')
    .description(
      'ask a session for its next trial (the oldest enqueued candidate, else the optimizer’s); committed as outstanding before it is printed, so many shells may ask at once',
    )
    .argument('<id>', 'session id')
    .option('--json', 'print {"trialIdx": …, "candidate": {…}} as JSON, or null when there is nothing more to ask')
    .action((id: string, flags: { json?: boolean }, cmd: Command) =>
      withCliContext(cmd, io, async (ctx) => {
        const asked = await ctx.cairn.ask(id)
        if (flags.json) printJson(io, asked)
        else if (asked === null)
          line(io.stdout, `nothing more to ask of session "${id}" (completed, all of its trials asked, or its optimizer halted)`)
        else line(io.stdout, `trial ${asked.trialIdx}${asked.origin ? ' (enqueued)' : ''}: ${JSON.stringify(asked.candidate)}`)
        exit(EXIT.OK)
      }),
    )

  program
    .command('tell')
    .description(
      'tell the result of an asked trial, in any order: the optimizer learns the results in trial order (put `--` before a negative number: tell <id> 3 -- -0.5)',
    )
    .argument('<id>', 'session id')
    .argument('<trialIdx>', 'the trial’s index, as `cairn ask` printed it', intArg(0))
    .argument('<result>', RESULT_SHAPES)
    .option('--duration-ms <n>', 'how long the evaluation took, recorded with the trial', intArg(0))
    .option('--json', 'print {"sessionId", "trialIdx", "told": true} as JSON')
    .action((id: string, trialIdx: number, given: string, flags: { durationMs?: number; json?: boolean }, cmd: Command) =>
      withCliContext(cmd, io, async (ctx) => {
        const result = parseJsonArg('result', given, RESULT_SHAPES) as TellResult
        await ctx.cairn.tell(id, trialIdx, result, flags.durationMs !== undefined ? { durationMs: flags.durationMs } : {})
        if (flags.json) printJson(io, { sessionId: id, trialIdx, told: true })
        else line(io.stdout, `told trial ${trialIdx} of session "${id}"`)
        exit(EXIT.OK)
      }),
    )

  program
    .command('enqueue')
    .description('enqueue a candidate: checked against the session’s space, stored, and asked before the optimizer is')
    .argument('<id>', 'session id')
    .argument('<candidate>', 'the candidate as JSON, e.g. {"x":0.5,"kernel":"rbf"}')
    .option('--json', 'print {"sessionId", "enqueued": n} as JSON')
    .action((id: string, given: string, flags: { json?: boolean }, cmd: Command) =>
      withCliContext(cmd, io, async (ctx) => {
        const candidate = parseJsonArg('candidate', given, 'a JSON object, e.g. {"x":0.5}')
        const waiting = await ctx.cairn.enqueue(id, candidate)
        if (flags.json) printJson(io, { sessionId: id, enqueued: waiting })
        else line(io.stdout, `enqueued in session "${id}" (${waiting} waiting to be asked)`)
        exit(EXIT.OK)
      }),
    )
}
