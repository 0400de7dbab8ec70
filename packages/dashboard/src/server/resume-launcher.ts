import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { AlreadyRunningError, NotPausedError, type CheckpointStore } from '@cairn/core'
import { HttpProblem } from './api-error.js'

/** How a paused session is resumed: the CLI, in a detached process. */
export interface ResumeSetup {
  /** The config file, or undefined when the dashboard was started without one (resume is then refused). */
  config: string | undefined
  storeUri: string | undefined
  cairnCommand: readonly string[]
  cwd: string
}

/**
 * Resumes paused sessions the way `cairn resume <id>` does, in a detached child process that
 * outlives the dashboard, its output going to a log file in the OS temp directory. Refuses
 * (409) without a config, on a store only one process may open, for a session that is not
 * paused, and while a resume it started for the same session is still running.
 */
export class ResumeLauncher {
  private readonly children = new Map<string, ChildProcess>()

  constructor(
    private readonly store: CheckpointStore,
    private readonly setup: ResumeSetup,
  ) {}

  /** Starts `cairn resume <id>` and returns the path of its log file. */
  async resume(sessionId: string): Promise<{ log: string }> {
    const { config } = this.setup
    if (config === undefined)
      throw new HttpProblem(
        409,
        'this dashboard was started without a config file, so it does not know the jobs that resume sessions; ' +
          `restart it with \`cairn dashboard --config <cairn.config.ts>\`, or run \`cairn resume ${sessionId}\` yourself`,
      )
    if (!this.store.capabilities.multiProcess)
      throw new HttpProblem(
        409,
        'this store admits one process at a time and this dashboard holds it, so a resumed process could not open it; ' +
          `stop the dashboard and run \`cairn resume ${sessionId}\``,
      )
    const head = await this.store.load(sessionId)
    if (head.status !== 'paused') throw new NotPausedError(sessionId, head.status)
    const running = this.children.get(sessionId)
    if (running && running.exitCode === null && running.signalCode === null)
      throw new AlreadyRunningError(
        sessionId,
        `process ${running.pid}`,
        'a resume started from this dashboard is still starting or running',
      )
    return this.spawn(sessionId, config)
  }

  private async spawn(sessionId: string, config: string): Promise<{ log: string }> {
    const { storeUri, cairnCommand, cwd } = this.setup
    const log = join(tmpdir(), `cairn-resume-${sessionId.replace(/[^\w.-]/g, '_')}-${Date.now()}.log`)
    const args = [
      ...cairnCommand.slice(1),
      '--config',
      resolve(cwd, config),
      ...(storeUri !== undefined ? ['--store', storeUri] : []),
      'resume',
      sessionId,
    ]
    const fd = openSync(log, 'a')
    try {
      const child = spawn(cairnCommand[0] as string, args, {
        cwd,
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, CAIRN_PROGRESS: 'plain' },
      })
      await new Promise<void>((ok, fail) => {
        child.once('spawn', ok)
        child.once('error', fail)
      }).catch((err: Error) => {
        throw new HttpProblem(500, `could not start \`${cairnCommand.join(' ')} resume ${sessionId}\`: ${err.message}`)
      })
      child.unref()
      this.children.set(sessionId, child)
      child.once('exit', () => {
        if (this.children.get(sessionId) === child) this.children.delete(sessionId)
      })
      return { log }
    } finally {
      closeSync(fd)
    }
  }
}
