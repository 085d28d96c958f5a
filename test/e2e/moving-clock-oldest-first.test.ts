// The moving-clock suite (test/fixtures/moving-suite.ts) against an upstream listing tasks oldest first (new tasks at the end): BotCity's clock agreeing with ours, running 30× faster.
import t from 'tap'
import { movingClockSuite } from '../fixtures/moving-suite.js'

await movingClockSuite(t, 0, { taskOrder: 'oldest-first' })
