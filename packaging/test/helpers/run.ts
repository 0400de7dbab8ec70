import { spawn } from 'node:child_process'
import { shellEnv } from '../../../vitest.builds.js'

/** How a command ended and what it printed. */
export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * The environment of a process a new user starts: this test run's own variables (vitest's,
 * package scripts', NODE_OPTIONS) removed, so nothing of the workspace leaks in.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...shellEnv(), CI: 'true', CAIRN_PROGRESS: 'plain', ...extra }
}

/** Runs `command args` in `cwd` to the end (the timeout is a safety net against hangs, never the thing tested). */
export function run(command: string, args: string[], cwd: string, env = userEnv(), timeoutMs = 240_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Like `run`, but rejects with everything the command printed unless it exits 0. */
export async function runOk(command: string, args: string[], cwd: string, env = userEnv(), timeoutMs?: number): Promise<RunResult> {
  const r = await run(command, args, cwd, env, timeoutMs)
  if (r.code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${r.code} in ${cwd}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`)
  return r
}
