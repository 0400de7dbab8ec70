export type {
  ApiError,
  ControlBody,
  SessionPageData,
  SessionStreamEvent,
  SessionView,
  SessionsPage,
  WorkerView,
} from './api/types.js'
export { TOKEN_HEADER } from './api/types.js'
