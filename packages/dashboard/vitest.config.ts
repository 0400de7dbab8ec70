import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('dashboard', { testTimeout: 180_000, globalSetup: ['test/global-setup.ts'] })
