// Runs monitor-redis.suite.ts where redis-server is installed; else skips, as the run's
// first line says (test/fixtures/tools-check.ts), or fails under CI=true.
import t from 'tap'
import { TOOLS, skipWithout } from '../fixtures/tools.js'

const skip = skipWithout(TOOLS.redis)
if (skip === false) await import('./monitor-redis.suite.js')
else t.plan(0, skip)
