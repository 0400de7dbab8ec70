import { basename } from 'node:path'

/** Who holds a database: what a store reading through another process tells its user. */
export interface HolderInfo {
  /** The holder's process id. */
  pid: number
  /** Its command line, shortened: `cairn run demo`. */
  command: string
}

const MAX_COMMAND = 80

/** This process as a holder: its pid and a short command line (the script's base name and its arguments). */
export function thisProcess(): HolderInfo {
  const [, script, ...args] = process.argv
  const name = script === undefined ? basename(process.execPath) : basename(script).replace(/\.(c|m)?(j|t)s$/, '')
  const command = [name, ...args].join(' ')
  return { pid: process.pid, command: command.length > MAX_COMMAND ? `${command.slice(0, MAX_COMMAND - 1)}…` : command }
}

/** `process 1234 (cairn run demo)`; `this process (pid 1234)` when it is this one. */
export function describeHolder(holder: HolderInfo): string {
  if (holder.pid === process.pid) return `this process (pid ${holder.pid}, through another store)`
  return `process ${holder.pid} (${holder.command})`
}
