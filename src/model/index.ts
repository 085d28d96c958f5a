export * from './edm.js'
export * from './entity-sets.js'
export * from './row.js'
