import { cairnPackage } from '../../tsup.config.base.js'

// TypeBox is bundled into the build: its ES modules are some 680 files, which Node 20 takes
// about half a second of CPU to load in every process (each `cairn` command, each worker);
// bundled and tree-shaken, a few tens of milliseconds. Its types still come from the
// `typebox` dependency.
export default cairnPackage({}, { noExternal: ['typebox'] })
