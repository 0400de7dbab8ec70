import { defineOptions, optionKinds as k, type OptionsSchema } from '@cairn/core'
import type { Context } from 'hono'
import type { ControlAnswer, ControlBody } from '../api/types.js'
import { PKG } from '../errors.js'
import type { ApiContext } from './api-context.js'
import { HttpProblem } from './api-error.js'
import { pauseOrCancel } from './control.js'

const ControlBodySchema: OptionsSchema<ControlBody> = defineOptions<ControlBody>(`${PKG} control body`, {
  action: k.oneOf(['pause', 'resume', 'cancel']),
})

/**
 * `POST /api/sessions/:id/control` with a JSON `ControlBody` → 202 `ControlAnswer`: pause and
 * cancel through the store's control requests, resume by starting `cairn resume` (see
 * `ResumeLauncher`). The only route that writes.
 */
export function controlRoute(ctx: ApiContext) {
  return async (c: Context) => {
    const id = c.req.param('id') as string
    const body = await jsonBody(c.req.header('content-type'), () => c.req.text())
    ControlBodySchema.check(body, 'body')
    await ctx.store.load(id)
    const answer: ControlAnswer =
      body.action === 'resume'
        ? { ok: true, ...(await ctx.resumer.resume(id)) }
        : { ok: true, outcome: await pauseOrCancel(ctx.store, id, body.action, ctx.now) }
    return c.json(answer, 202)
  }
}

/** The request body as JSON; 400 unless it is `application/json` and parses. */
async function jsonBody(contentType: string | undefined, text: () => Promise<string>): Promise<unknown> {
  if (!contentType || !/^application\/json\b/i.test(contentType.trim()))
    throw new HttpProblem(
      400,
      `body: must be JSON sent as Content-Type: application/json, got ${contentType ?? 'no Content-Type'}`,
      'INVALID_INPUT',
    )
  const raw = await text()
  try {
    return JSON.parse(raw) as unknown
  } catch {
    throw new HttpProblem(400, `body: is not JSON: ${JSON.stringify(raw.slice(0, 80))}`, 'INVALID_INPUT')
  }
}
