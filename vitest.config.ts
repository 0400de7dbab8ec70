import { defineConfig } from 'vitest/config'
import projects from './vitest.workspace.js'

export default defineConfig({
  test: {
    projects,
    // vitest's default on a 2-core machine is one file at a time; most files here wait on child
    // processes, Java or timers rather than the CPU, so several run side by side.
    maxWorkers: 4,
    reporters: ['default', ['json', { outputFile: '.ci/out/vitest.json' }]],
  },
})
