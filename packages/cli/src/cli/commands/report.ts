import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { line, printJson } from '../io.js'

/** `cairn report <id> --out report.html`: a self-contained HTML report. */
export function registerReport({ program, io, exit }: CommandKit): void {
  program
    .command('report')
    .description(
      "write a self-contained HTML report of a session: the dashboard's session page (history, slices, parallel coordinates, contour, importance, trial table, head) in one file that opens offline",
    )
    .argument('<id>', 'session id')
    .option('-o, --out <file>', 'where to write it (default: <id>.html)')
    .option('--json', 'print { path, trials } as JSON')
    .action((id: string, flags: { out?: string; json?: boolean }, cmd: Command) =>
      withCliContext(cmd, io, async (ctx) => {
        const html = await ctx.cairn.report(id)
        const path = resolve(io.cwd, flags.out ?? `${id}.html`)
        await writeFile(path, html)
        const trials = (await ctx.cairn.show(id, { lastTrials: 0 })).head.progress.attempts
        if (flags.json) printJson(io, { sessionId: id, path, trials })
        else line(io.stdout, `wrote ${path} (${trials} trials); open it in a browser`)
        exit(EXIT.OK)
      }),
    )
}
