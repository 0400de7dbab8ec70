import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'

/** A lease owner name unique to one monitor: `recovery:<host>:<pid>:<random>`. */
export function defaultMonitorOwner(): string {
  return `recovery:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
}
