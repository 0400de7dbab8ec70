import { ensureBuilt } from '../../../vitest.builds.js'

/** The pages under test are the built web app (`dist/web`): build first when stale. */
export default async function setup(): Promise<void> {
  await ensureBuilt()
}
