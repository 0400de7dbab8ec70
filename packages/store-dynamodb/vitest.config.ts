import { defineCairnProject, sourceConditions } from '../../vitest.shared.js'

const project = defineCairnProject('store-dynamodb', {
  globalSetup: ['./test/global-setup.ts'],
  testTimeout: 60_000,
})

// The shared conditions include `module`, which makes the AWS SDK v3 packages resolve to their
// bundler-only `dist-es` builds (extensionless imports Node cannot load). Node's own condition
// order is what this package needs: `@cairn/source` for workspace packages, then `node`.
const conditions = sourceConditions.filter((c) => c !== 'module')

export default {
  ...project,
  resolve: { ...project.resolve, conditions },
  ssr: { ...project.ssr, resolve: { ...project.ssr?.resolve, conditions } },
}
