/**
 * The longest delay `setTimeout` honours: 2^31 − 1 ms (about 24.8 days). Node.js runs a longer
 * one after 1 ms, so every duration option that arms a timer refuses more than this (it is
 * not clamped: a value that large is a mistake, not a wish).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * The longest lease a session may take: 24 hours. A driver renews its lease every ttl / 4, so
 * a long ttl buys nothing while the driver lives; it only delays the takeover of a session
 * whose driver died.
 */
export const MAX_LEASE_TTL_MS = 24 * 60 * 60 * 1000

/** The shortest lease core's session driver takes (it renews every ttl / 4). */
export const MIN_DRIVER_LEASE_TTL_MS = 100
