export { hillClimb, hillClimber } from './hill-climber.js'
export type { HillClimbOptions, HillClimbState } from './hill-climber.js'
