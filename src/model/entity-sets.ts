// The model: the one source of truth from which $metadata, serialization and
// the planner's capabilities derive. Property names are exactly the upstream's.
import type { EntitySetDef, EntitySetName, PropertyDef } from './edm.js'

const dateTime = (name: string, nullable: boolean, description: string): PropertyDef =>
  ({ name, type: 'Edm.DateTimeOffset', nullable, precision: 3, description })

export const TASKS: EntitySetDef = {
  name: 'Tasks',
  typeName: 'Task',
  key: 'id',
  description: 'Tasks run by the BotCity Orchestrator, newest first.',
  properties: [
    { name: 'id', type: 'Edm.Int64', nullable: false, description: 'Task identifier.' },
    { name: 'state', type: 'Edm.String', nullable: false, description: 'START, RUNNING, FINISHED, CANCELED, or a newer state.' },
    { name: 'finishStatus', type: 'Edm.String', nullable: true, description: 'SUCCESS, FAILED, PARTIALLY_COMPLETED; null unless FINISHED.' },
    { name: 'activityLabel', type: 'Edm.String', nullable: false, description: 'Label of the automation the task ran.' },
    { name: 'repositoryLabel', type: 'Edm.String', nullable: true, description: 'Repository of the automation.' },
    { name: 'machineId', type: 'Edm.String', nullable: true, description: 'Runner that ran the task; null until one takes it.' },
    dateTime('dateLastModified', true, 'Last change of the task.'),
    dateTime('dateCreation', false, 'When the task was created.'),
    dateTime('dateStartRunning', true, 'When a runner started the task.'),
    { name: 'processedItems', type: 'Edm.Int32', nullable: true, description: 'Items processed successfully.' },
    { name: 'failedItems', type: 'Edm.Int32', nullable: true, description: 'Items that failed.' },
    { name: 'totalItems', type: 'Edm.Int32', nullable: true, description: 'Items reported in all.' }
  ],
  navigation: [
    { name: 'Automation', target: 'Automations', collection: false, via: { from: 'activityLabel', to: 'label' }, description: 'The automation this task ran.' }
  ],
  upstream: {
    route: 'tasks',
    paged: true,
    windowParam: 'days',
    windowDefinesAggregates: false,
    nativeOrder: [{ property: 'dateCreation', descending: true }],
    sort: {},
    filterParams: {}
  }
}

export const AUTOMATIONS: EntitySetDef = {
  name: 'Automations',
  typeName: 'Automation',
  key: 'label',
  description: 'Automations with their figures over the feed horizon.',
  properties: [
    { name: 'label', type: 'Edm.String', nullable: false, description: 'Automation label (its key).' },
    { name: 'name', type: 'Edm.String', nullable: true, description: 'Display name.' },
    { name: 'machineId', type: 'Edm.String', nullable: true, description: 'Runner the automation is bound to, if any.' },
    { name: 'description', type: 'Edm.String', nullable: true, description: 'Description.' },
    { name: 'organizationLabel', type: 'Edm.String', nullable: true, description: 'Organization (workspace) label.' },
    { name: 'repositoryLabel', type: 'Edm.String', nullable: true, description: 'Repository label.' },
    { ...dateTime('date', true, 'Creation date of the automation (sent by the upstream without a zone; UTC).'), wire: 'utc-without-zone' },
    { name: 'taskCount', type: 'Edm.Int64', nullable: true, description: 'Tasks in the horizon.' },
    { name: 'sumItems', type: 'Edm.Double', nullable: true, description: 'Items reported by those tasks.' },
    { name: 'sumItemsError', type: 'Edm.Double', nullable: true, description: 'Items that failed.' },
    { name: 'sumItemsProcessed', type: 'Edm.Double', nullable: true, description: 'Items processed.' },
    { name: 'uptimeRate', type: 'Edm.Double', nullable: true, description: 'Uptime rate.' },
    { name: 'downtimeRate', type: 'Edm.Double', nullable: true, description: 'Downtime rate.' },
    { name: 'successRate', type: 'Edm.Double', nullable: true, description: 'Success rate.' },
    { name: 'roi', type: 'Edm.Double', nullable: true, description: 'Return on investment.' },
    { name: 'fte', type: 'Edm.Double', nullable: true, description: 'Full-time equivalents saved.' },
    { name: 'savings', type: 'Edm.Double', nullable: true, description: 'Savings.' }
  ],
  navigation: [
    { name: 'Tasks', target: 'Tasks', collection: true, via: { from: 'label', to: 'activityLabel' }, description: 'Tasks of this automation.' },
    { name: 'Runners', target: 'Runners', collection: true, via: { from: 'label', to: 'automations' }, description: 'Runners that ran this automation.' }
  ],
  upstream: {
    route: 'automation',
    paged: true,
    windowParam: 'filterBy',
    windowDefinesAggregates: true,
    nativeOrder: [{ property: 'label', descending: false }],
    sort: { label: 'label', date: 'date', repositoryLabel: 'repositoryLabel', taskCount: 'taskCount', sumItems: 'sumItems', sumItemsError: 'sumItemsError' },
    filterParams: { label: 'automation' }
  }
}

export const RUNNERS: EntitySetDef = {
  name: 'Runners',
  typeName: 'Runner',
  key: 'id',
  description: 'Runners (machines) with their figures over the feed horizon.',
  properties: [
    { name: 'id', type: 'Edm.String', nullable: false, description: 'Runner identifier (its key).' },
    { name: 'idMachine', type: 'Edm.String', nullable: true, description: 'Machine identifier.' },
    { name: 'log', type: 'Edm.String', nullable: true, description: 'Last log line.' },
    { name: 'remoteAccess', type: 'Edm.String', nullable: true, description: 'Remote access address.' },
    { name: 'status', type: 'Edm.String', nullable: true, description: 'Runner status (values vary by release).' },
    { name: 'name', type: 'Edm.String', nullable: true, description: 'Display name.' },
    { name: 'organization', type: 'Edm.String', nullable: true, description: 'Organization (workspace) label.' },
    { name: 'automations', type: 'Edm.String', nullable: false, collection: true, description: 'Labels of the automations the runner ran.' },
    { name: 'tasks', type: 'Edm.Int64', nullable: true, description: 'Tasks in the horizon.' },
    { name: 'items', type: 'Edm.Int64', nullable: true, description: 'Items processed.' },
    { name: 'itemsErrorCount', type: 'Edm.Int64', nullable: true, description: 'Items that failed.' },
    { name: 'utilizationRate', type: 'Edm.Double', nullable: true, description: 'Utilization rate.' }
  ],
  navigation: [
    // Not 'Automations': the property 'automations' holds the labels, and names differing only by case break Power BI's data model and client generators.
    { name: 'AutomationDetails', target: 'Automations', collection: true, via: { from: 'automations', to: 'label' }, description: 'The automations this runner ran (the entities whose labels are in automations).' }
  ],
  upstream: {
    route: 'runners',
    paged: false,
    windowParam: 'filterBy',
    windowDefinesAggregates: true,
    nativeOrder: [{ property: 'tasks', descending: true }],
    sort: { id: '_id', tasks: 'tasks', items: 'items', itemsErrorCount: 'itemsErrorCount', utilizationRate: 'utilizationRate' },
    filterParams: { id: 'runner' }
  }
}

export const ENTITY_SETS: readonly EntitySetDef[] = [TASKS, AUTOMATIONS, RUNNERS]

/** Lookup by exact name; Object.hasOwn keeps `constructor`, `__proto__` and friends unknown. */
const BY_NAME: ReadonlyMap<string, EntitySetDef> = new Map(ENTITY_SETS.map((s) => [s.name, s]))
export function entitySet(name: string): EntitySetDef | undefined {
  return BY_NAME.get(name)
}

export function entitySetByName(name: EntitySetName): EntitySetDef {
  return BY_NAME.get(name) as EntitySetDef
}

const PROPS = new Map(ENTITY_SETS.map((s) => [s.name, new Map(s.properties.map((p) => [p.name, p]))]))
export function property(set: EntitySetDef, name: string): PropertyDef | undefined {
  return PROPS.get(set.name)?.get(name)
}

export const NAMESPACE = 'BotCity.Insights'
export const CONTAINER = 'Insights'
