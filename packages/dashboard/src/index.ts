export type {
  ApiError,
  ControlAnswer,
  ControlBody,
  SessionPageData,
  PackedCurve,
  SessionStreamEvent,
  SessionView,
  SessionsPage,
  WorkerView,
} from './api/types.js'
export { TOKEN_HEADER } from './api/types.js'
export { createDashboardServer } from './server/create-server.js'
export type { DashboardServer } from './server/create-server.js'
export { DEFAULT_PORT, DEFAULT_POLL_INTERVAL_MS } from './server/options.js'
export type { DashboardServerOptions } from './server/options.js'
export { DashboardOptionError, ListenError } from './errors.js'
export { sessionView } from './server/session-view.js'
export { renderReport } from './report/render-report.js'
export { webAppDir } from './report/web-assets.js'
export { WebAppMissingError } from './report/web-app-missing-error.js'
