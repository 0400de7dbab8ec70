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
export { sessionView } from './server/session-view.js'
export { renderReport } from './report/render-report.js'
export { webAppDir } from './report/web-assets.js'
export { WebAppMissingError } from './report/web-app-missing-error.js'
