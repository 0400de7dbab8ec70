import type { ControlAnswer, ControlBody } from '../../api/types.js'
import { h } from '../dom.js'
import type { SessionModel } from '../model/session-model.js'

type Action = ControlBody['action']

const QUESTIONS: Record<Action, (id: string) => string> = {
  pause: (id) => `Pause session "${id}"? Its run stops after the trial in flight; resume it later.`,
  resume: (id) => `Resume session "${id}"? The dashboard starts its job again, as \`cairn resume\` does.`,
  cancel: (id) => `Cancel session "${id}"? It stops after the trial in flight and can never be resumed.`,
}

/** What the page says once the server accepted a control request. */
function outcomeText(action: Action, answer: ControlAnswer): string {
  if (action === 'resume') return `resume requested: the job is starting${answer.log ? ` (its output goes to ${answer.log})` : ''}`
  const done = action === 'pause' ? 'paused' : 'cancelled'
  if (answer.outcome === 'applied') return `${done}: no process was driving it`
  if (answer.outcome === 'unchanged') return `already ${done}`
  return `${action} requested: it takes effect after the trial in flight`
}

/** Which actions a session's status allows. */
function allowed(status: string): Action[] {
  if (status === 'running') return ['pause', 'cancel']
  if (status === 'paused') return ['resume', 'cancel']
  return []
}

/**
 * Pause, resume and cancel buttons, each asking for confirmation in a dialog before it sends the
 * control request. Absent where the data source cannot write (a report).
 */
export function controls(model: SessionModel, send: (action: Action) => Promise<ControlAnswer>): { root: HTMLElement; update(): void } {
  const message = h('span', { class: 'control-message', role: 'status' })
  const buttons = new Map<Action, HTMLButtonElement>()
  const question = h('p')
  const confirm = h('button', { type: 'button', class: 'danger', 'data-action': 'confirm' }, 'Confirm')
  const dismiss = h('button', { type: 'button', 'data-action': 'dismiss' }, 'Keep running')
  const dialog = h('dialog', { class: 'confirm' }, question, h('div', { class: 'dialog-buttons' }, dismiss, confirm))
  let pending: Action | null = null
  dismiss.addEventListener('click', () => dialog.close())
  confirm.addEventListener('click', async () => {
    const action = pending
    dialog.close()
    if (!action) return
    message.textContent = `${action} requested…`
    try {
      message.textContent = outcomeText(action, await send(action))
    } catch (err) {
      message.textContent = `${action} failed: ${err instanceof Error ? err.message : String(err)}`
    }
  })
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    const b = h(
      'button',
      { type: 'button', 'data-action': action, class: action === 'cancel' ? 'danger' : '' },
      action[0]?.toUpperCase() + action.slice(1),
    )
    b.addEventListener('click', () => {
      pending = action
      question.textContent = QUESTIONS[action](model.session.sessionId)
      dismiss.textContent = action === 'resume' ? 'Leave it paused' : 'Keep running'
      dialog.showModal()
    })
    buttons.set(action, b)
  }
  const root = h('div', { class: 'controls' }, ...buttons.values(), message, dialog)
  function update(): void {
    const ok = allowed(model.session.status)
    for (const [action, b] of buttons) b.hidden = !ok.includes(action)
  }
  update()
  return { root, update }
}
