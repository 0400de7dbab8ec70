import { cairnPackage } from '../../tsup.config.base.js'

export default cairnPackage()
