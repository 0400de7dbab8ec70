import { defineCairnProject, sourceConditions } from '../../vitest.shared.js'

const project = defineCairnProject('example-distributed', { testTimeout: 180_000 })

// As in @cairn/store-dynamodb: the shared `module` condition makes the AWS SDK resolve to its
// bundler-only builds, which Node cannot load; drop it so the SDK resolves as under plain Node.
const conditions = sourceConditions.filter((c) => c !== 'module')

export default {
  ...project,
  resolve: { ...project.resolve, conditions },
  ssr: { ...project.ssr, resolve: { ...project.ssr?.resolve, conditions } },
}
