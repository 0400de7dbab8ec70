import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('recovery', { dynamoDbLocal: true, testTimeout: 60_000 })
