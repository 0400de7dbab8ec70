import { createLevelStore } from './src/index.js'
import { newHead, trialAt, advance } from './test/helpers.js'
const now = () => Number(process.hrtime.bigint()) / 1e6
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000 }
const location = '/tmp/lvtest/r2' + Date.now()
let store = createLevelStore({ location })
const h = newHead('big'); await store.create(h)
const trials = Array.from({ length: 10000 }, (_, i) => trialAt(i))
await store.commit('big', { expectedRevision: 0, fencingToken: 1, head: advance(h, trials), trials })
for (let i = 0; i < 8; i++) {
  await store.close()
  let t = now(), c = cpu(); store = createLevelStore({ location }); await store.open(); const o = [now() - t, cpu() - c]
  t = now(); c = cpu(); await store.load('big'); const l = [now() - t, cpu() - c]
  t = now(); c = cpu(); const r = await store.readTrials('big'); const rt = [now() - t, cpu() - c]
  console.log('open', o.map((x) => x.toFixed(1)).join('/'), 'load', l.map((x) => x.toFixed(1)).join('/'), 'readTrials', rt.map((x) => x.toFixed(1)).join('/'))
}
await store.close()
