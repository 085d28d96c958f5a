// The moving-clock suite (test/fixtures/moving-suite.ts) with BotCity's clock agreeing with ours, running 30× faster.
import t from 'tap'
import { movingClockSuite } from '../fixtures/moving-suite.js'

await movingClockSuite(t, 0)
