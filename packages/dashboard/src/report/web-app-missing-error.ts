import { CairnError } from '@cairn/core'

/** The built web app (`dist/web`) is missing: a source checkout whose package was not built. */
export class WebAppMissingError extends CairnError {
  readonly path: string
  constructor(path: string) {
    super('NOT_FOUND', `[@cairn/dashboard] the web app is not built (${path} is missing); run \`pnpm --filter @cairn/dashboard build\``)
    this.path = path
  }
}
