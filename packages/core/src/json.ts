/** A JSON value: what Cairn persists for candidates, artifacts, options and settings. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** A JSON object. */
export type JsonObject = { [key: string]: Json }
