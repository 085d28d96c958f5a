// The moving-clock suite (test/fixtures/moving-suite.ts) against an upstream listing tasks by ascending id (ids not in creation order) that honours sort=dateCreation,desc, which the bridge then sends: BotCity's clock agreeing with ours, running 30× faster.
import t from 'tap'
import { movingClockSuite } from '../fixtures/moving-suite.js'

await movingClockSuite(t, 0, { taskOrder: 'by-id', honorTaskSort: true })
