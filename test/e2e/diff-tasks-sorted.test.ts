// The differential test of Tasks (diff-tasks.test.ts) against an upstream that
// lists tasks by ascending id (ids not in creation order) and honours
// sort=dateCreation,desc, which the bridge then sends.
process.env.DIFF_ORDER = 'by-id'
process.env.DIFF_HONOR_SORT = 'true'
process.env.DIFF_CASES ??= '60'
await import('./diff-tasks.test.js')
