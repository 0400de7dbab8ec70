import type { TrialRecord } from '@cairn/core'
import { MultiBar, type SingleBar } from 'cli-progress'
import { duration, score } from './format.js'
import { line } from './io.js'

/** What the progress display shows. */
export interface ProgressView {
  attempts: number
  /** `maxTrials`, or null when the optimizer decides when to stop. */
  total: number | null
  best: number | null
  bestTrialIdx: number | null
  errors: number
}

/** Shows a run's progress: a live bar on a terminal, plain lines otherwise. */
export interface ProgressReporter {
  begin(view: ProgressView): void
  /** A trial was committed. */
  trial(trial: TrialRecord, view: ProgressView): void
  /** A message (printed above the bar on a terminal). */
  note(text: string): void
  end(): void
}

/** Estimates the time left from the trials committed since the display began. */
class Eta {
  private startedAt = Date.now()
  private startAttempts = 0

  begin(attempts: number): void {
    this.startedAt = Date.now()
    this.startAttempts = attempts
  }

  /** Seconds left, or null when unknown. */
  seconds(view: ProgressView): number | null {
    const done = view.attempts - this.startAttempts
    if (view.total === null || done <= 0) return null
    const perTrial = (Date.now() - this.startedAt) / done
    return Math.max(0, ((view.total - view.attempts) * perTrial) / 1000)
  }
}

function etaText(seconds: number | null): string {
  return seconds === null ? '-' : seconds <= 0 ? '0 s' : duration(Math.ceil(seconds) * 1000)
}

function bestText(view: ProgressView): string {
  return view.best === null ? '-' : `${score(view.best)} (#${view.bestTrialIdx})`
}

function doneText(view: ProgressView): string {
  return `${view.attempts}${view.total === null ? '' : `/${view.total}`} trials`
}

/** One line per committed trial; for logs, CI and pipes. */
export class LineReporter implements ProgressReporter {
  private readonly eta = new Eta()
  constructor(private readonly out: NodeJS.WritableStream) {}

  begin(view: ProgressView): void {
    this.eta.begin(view.attempts)
  }

  trial(trial: TrialRecord, view: ProgressView): void {
    const what =
      trial.status === 'ok'
        ? `score ${score(trial.score)}`
        : trial.status === 'pruned'
          ? `pruned at step ${trial.intermediate?.at(-1)?.step ?? '?'} (${score(trial.score)})`
          : `error (${trial.errorClass ?? 'error'}${trial.error ? `: ${trial.error.message.split('\n')[0]}` : ''})`
    line(
      this.out,
      `${doneText(view)}  #${trial.trialIdx} ${what}  best ${bestText(view)}  errors ${view.errors}  eta ${etaText(this.eta.seconds(view))}`,
    )
  }

  note(text: string): void {
    line(this.out, text)
  }

  end(): void {}
}

/** A live bar (via `cli-progress`): trials done / total, best so far, errors, ETA. */
export class BarReporter implements ProgressReporter {
  private readonly eta = new Eta()
  private readonly multi: MultiBar
  private bar: SingleBar | null = null
  private view: ProgressView | null = null

  constructor(private readonly stream: NodeJS.WritableStream) {
    this.multi = new MultiBar({
      stream,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
      format: (options, params, payload: { text?: string }) => {
        const size = options.barsize ?? 30
        const filled = Math.round(Math.min(1, Math.max(0, params.progress)) * size)
        const bar = this.view?.total === null ? '' : `${'█'.repeat(filled)}${'░'.repeat(size - filled)} `
        return `${bar}${payload.text ?? ''}`
      },
      barsize: 30,
    })
  }

  private text(view: ProgressView): string {
    return `${doneText(view)} | best ${bestText(view)} | errors ${view.errors} | ETA ${etaText(this.eta.seconds(view))}`
  }

  begin(view: ProgressView): void {
    this.view = view
    this.eta.begin(view.attempts)
    this.bar = this.multi.create(view.total ?? 0, view.attempts, { text: this.text(view) })
  }

  trial(_trial: TrialRecord, view: ProgressView): void {
    this.view = view
    this.bar?.update(view.attempts, { text: this.text(view) })
  }

  note(text: string): void {
    if (this.bar) this.multi.log(`${text}\n`)
    else line(this.stream, text)
  }

  end(): void {
    // Flush messages logged since the last redraw, then leave the final bar on screen.
    ;(this.multi as unknown as { update?: () => void }).update?.()
    this.multi.stop()
  }
}
