// The differential test of Tasks (diff-tasks.test.ts) against an upstream listing tasks by ascending id (ids not in creation order): read whole.
process.env.DIFF_ORDER = 'by-id'
process.env.DIFF_CASES ??= '60'
await import('./diff-tasks.test.js')
