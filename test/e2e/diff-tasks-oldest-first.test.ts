// The differential test of Tasks (diff-tasks.test.ts) against an upstream listing tasks oldest first.
process.env.DIFF_ORDER = 'oldest-first'
process.env.DIFF_CASES ??= '60'
await import('./diff-tasks.test.js')
