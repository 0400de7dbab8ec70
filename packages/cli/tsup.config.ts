import { cairnPackage } from '../../tsup.config.base.js'

// The CLI behind the `cairn` bin (its shebang is kept and the file made executable).
export default cairnPackage({ 'cli/main': 'src/cli/main.ts' })
