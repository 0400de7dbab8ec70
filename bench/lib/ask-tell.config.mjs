// The config `pnpm bench ask-tell` runs the CLI with: an ask/tell job (a space alone).
import { float, int, space } from '@cairn/core'

export default {
  jobs: {
    remote: { space: space({ x: float(-5, 5), n: int(0, 9) }), optimizer: 'random', seed: 1 },
  },
}
