import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Debian's python3, which sees the apt-installed `python3-optuna` (the pyenv one on PATH does not). */
export const PYTHON = '/usr/bin/python3'

/** True when Optuna can be imported by Debian's python3. */
export async function optunaAvailable(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false
  try {
    await run(PYTHON, ['-c', 'import optuna'])
    return true
  } catch {
    return false
  }
}

/** Runs a script from bench/optuna and parses the JSON it prints on its last line. */
export async function runOptunaScript(script: string, args: string[], timeoutMs = 600_000): Promise<any> {
  const path = fileURLToPath(new URL(`../optuna/${script}`, import.meta.url))
  const { stdout } = await run(PYTHON, [path, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 })
  const last = stdout.trim().split('\n').at(-1) ?? ''
  return JSON.parse(last)
}

/**
 * Runs a script from bench/optuna that may take long (no timeout), its stderr (progress lines)
 * passed on when `verbose`, and parses the JSON it prints on stdout.
 */
export function streamOptunaScript(script: string, args: string[], verbose: boolean): Promise<any> {
  const path = fileURLToPath(new URL(`../optuna/${script}`, import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
      if (verbose) process.stderr.write(d)
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${err.slice(-2000)}`))
      try {
        resolve(JSON.parse(out))
      } catch (e) {
        reject(new Error(`${script} printed no JSON: ${String(e)}; stderr: ${err.slice(-2000)}`))
      }
    })
  })
}
