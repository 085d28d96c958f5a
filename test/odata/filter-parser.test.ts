import t from 'tap'
import { isBridgeError, type BridgeError } from '../../src/errors.js'
import { AUTOMATIONS, RUNNERS, TASKS, type EntitySetDef } from '../../src/model/index.js'
import { parseFilter } from '../../src/odata/index.js'
import { show } from './fixtures/show.js'

function parsed(filter: string, set: EntitySetDef = TASKS): string {
  return show(parseFilter(set, filter))
}

function fails(filter: string, set: EntitySetDef = TASKS): BridgeError {
  try {
    parseFilter(set, filter)
  } catch (err) {
    if (isBridgeError(err)) return err as BridgeError
    throw err
  }
  throw new Error(`expected ${filter} to fail`)
}

// [filter, set, expected tree]
const VALID: [string, EntitySetDef, string][] = [
  // comparison operators (Part 2 §5.1.1.1), case-insensitive in 4.01
  ["state eq 'FINISHED'", TASKS, "(eq state 'FINISHED')"],
  ["state ne 'FINISHED'", TASKS, "(ne state 'FINISHED')"],
  ['totalItems gt 10', TASKS, '(gt totalItems int:10)'],
  ['totalItems ge 10', TASKS, '(ge totalItems int:10)'],
  ['totalItems lt 10', TASKS, '(lt totalItems int:10)'],
  ['totalItems le 10', TASKS, '(le totalItems int:10)'],
  ["state EQ 'A' AND totalItems Gt 1", TASKS, "(and (eq state 'A') (gt totalItems int:1))"],
  ["'A' eq state", TASKS, "(eq 'A' state)"],
  ['processedItems eq failedItems', TASKS, '(eq processedItems failedItems)'],
  // null comparisons
  ['finishStatus eq null', TASKS, '(eq finishStatus null)'],
  ['finishStatus ne null', TASKS, '(ne finishStatus null)'],
  ['null eq null', TASKS, '(eq null null)'],
  // logical operators and precedence (§5.1.1.17)
  ["state eq 'A' or state eq 'B' and totalItems gt 1", TASKS, "(or (eq state 'A') (and (eq state 'B') (gt totalItems int:1)))"],
  ["(state eq 'A' or state eq 'B') and totalItems gt 1", TASKS, "(and (or (eq state 'A') (eq state 'B')) (gt totalItems int:1))"],
  ["not (state eq 'A')", TASKS, "(not (eq state 'A'))"],
  ["not(state eq 'A')", TASKS, "(not (eq state 'A'))"],
  ["not contains(state,'x')", TASKS, "(not contains(state 'x'))"],
  ['totalItems gt 1 eq true', TASKS, '(eq (gt totalItems int:1) true)'],
  ['true', TASKS, 'true'],
  // arithmetic (§5.1.1.2) and precedence
  ['totalItems add 1 gt 5', TASKS, '(gt (add totalItems int:1) int:5)'],
  ['totalItems sub 1 mul 2 eq 0', TASKS, '(eq (sub totalItems (mul int:1 int:2)) int:0)'],
  ['(totalItems sub 1) mul 2 eq 0', TASKS, '(eq (mul (sub totalItems int:1) int:2) int:0)'],
  ['totalItems div 2 eq 1', TASKS, '(eq (div totalItems int:2) int:1)'],
  ['totalItems divby 2 eq 1.5', TASKS, '(eq (divby totalItems int:2) decimal:1.5)'],
  ['totalItems mod 5 eq 0', TASKS, '(eq (mod totalItems int:5) int:0)'],
  ['totalItems add 1 sub 2 add 3 eq 0', TASKS, '(eq (add (sub (add totalItems int:1) int:2) int:3) int:0)'],
  ['-totalItems lt -5', TASKS, '(lt (- totalItems) int:-5)'],
  ['- 5 lt totalItems', TASKS, '(lt int:-5 totalItems)'],
  ['roi div 0 gt 1', AUTOMATIONS, '(gt (div roi int:0) int:1)'],
  ['taskCount divby 0 gt 1', AUTOMATIONS, '(gt (divby taskCount int:0) int:1)'],
  // in (4.01) and membership in a collection
  ["state in ('A', 'B','C')", TASKS, "(in state ['A' 'B' 'C'])"],
  ["state in ('A')", TASKS, "(in state ['A'])"],
  ['id in (1,2)', TASKS, '(in id [int:1 int:2])'],
  ["not state in ('A')", TASKS, "(not (in state ['A']))"],
  ["'bot' in automations", RUNNERS, "automations/any($in: (eq $$in 'bot'))"],
  ["id in automations", RUNNERS, 'automations/any($in: (eq $$in id))'],
  // literals (ABNF primitiveLiteral)
  ["activityLabel eq 'O''Neil'", TASKS, "(eq activityLabel 'O'Neil')"],
  ["activityLabel eq ''", TASKS, "(eq activityLabel '')"],
  ["activityLabel eq 'a,b&c=d'", TASKS, "(eq activityLabel 'a,b&c=d')"],
  ['id eq 9007199254740991', TASKS, '(eq id int:9007199254740991)'],
  ['id eq -9007199254740991', TASKS, '(eq id int:-9007199254740991)'],
  ['id eq +5', TASKS, '(eq id int:5)'],
  ['roi eq 1.25', AUTOMATIONS, '(eq roi decimal:1.25)'],
  ['roi eq 1e5', AUTOMATIONS, '(eq roi double:100000)'],
  ['roi eq 1.5E-3', AUTOMATIONS, '(eq roi double:0.0015)'],
  ['roi eq -2.5e+2', AUTOMATIONS, '(eq roi double:-250)'],
  ['roi lt INF and roi gt -INF and roi ne NaN', AUTOMATIONS, '(and (and (lt roi double:Infinity) (gt roi double:-Infinity)) (ne roi double:NaN))'],
  ['dateCreation ge 2024-01-31', TASKS, '(ge dateCreation date:2024-01-31)'],
  ['dateCreation ge 2024-02-29', TASKS, '(ge dateCreation date:2024-02-29)'],
  ['dateCreation ge 2024-01-01T00:00:00Z', TASKS, '(ge dateCreation dto:2024-01-01T00:00:00.000Z)'],
  ['dateCreation ge 2024-01-01T00:00Z', TASKS, '(ge dateCreation dto:2024-01-01T00:00:00.000Z)'],
  ['dateCreation ge 2024-01-01t10:00:00z', TASKS, '(ge dateCreation dto:2024-01-01T10:00:00.000Z)'],
  ['dateCreation ge 2024-01-01T00:00:00+01:00', TASKS, '(ge dateCreation dto:2023-12-31T23:00:00.000Z@60)'],
  ['dateCreation ge 2024-01-01T00:00:00-05:30', TASKS, '(ge dateCreation dto:2024-01-01T05:30:00.000Z@-330)'],
  ['dateCreation ge 2024-01-01T00:00:00.1234567Z', TASKS, '(ge dateCreation dto:2024-01-01T00:00:00.123Z+456700ns)'],
  ['dateCreation ge 0001-01-01T00:00:00Z', TASKS, '(ge dateCreation dto:0001-01-01T00:00:00.000Z)'],
  ['time(dateCreation) lt 12:30', TASKS, '(lt time(dateCreation) time:45000000)'],
  ['time(dateCreation) lt 12:30:15.5', TASKS, '(lt time(dateCreation) time:45015500)'],
  ["dateCreation add duration'P1DT2H' gt now()", TASKS, '(gt (add dateCreation duration:93600000) now())'],
  ["dateCreation sub dateStartRunning gt duration'-PT1.5S'", TASKS, '(gt (sub dateCreation dateStartRunning) duration:-1500)'],
  ["dateCreation sub dateStartRunning gt 'PT1H'", TASKS, '(gt (sub dateCreation dateStartRunning) duration:3600000)'],
  ['true eq false', TASKS, '(eq true false)'],
  ['TRUE eq False', TASKS, '(eq true false)'],
  // functions (§5.1.1.4–9), names case-insensitive
  ["contains(activityLabel,'bot')", TASKS, "contains(activityLabel 'bot')"],
  ["startswith(activityLabel, 'bot')", TASKS, "startswith(activityLabel 'bot')"],
  ["endswith(activityLabel,'bot')", TASKS, "endswith(activityLabel 'bot')"],
  ['length(activityLabel) eq 3', TASKS, '(eq length(activityLabel) int:3)'],
  ["indexof(activityLabel,'b') eq 0", TASKS, "(eq indexof(activityLabel 'b') int:0)"],
  ["substring(activityLabel,1) eq 'ot'", TASKS, "(eq substring(activityLabel int:1) 'ot')"],
  ["substring(activityLabel,1,2) eq 'ot'", TASKS, "(eq substring(activityLabel int:1 int:2) 'ot')"],
  ["tolower(state) eq 'a'", TASKS, "(eq tolower(state) 'a')"],
  ["toupper(state) eq 'A'", TASKS, "(eq toupper(state) 'A')"],
  ["trim(state) eq 'A'", TASKS, "(eq trim(state) 'A')"],
  ["concat(concat(state,', '),activityLabel) eq 'A, b'", TASKS, "(eq concat(concat(state ', ') activityLabel) 'A, b')"],
  ["ToLower(state) eq 'a'", TASKS, "(eq tolower(state) 'a')"],
  ['year(dateCreation) eq 2024', TASKS, '(eq year(dateCreation) int:2024)'],
  ['month(dateCreation) eq 2', TASKS, '(eq month(dateCreation) int:2)'],
  ['day(dateCreation) eq 29', TASKS, '(eq day(dateCreation) int:29)'],
  ['hour(dateCreation) eq 23', TASKS, '(eq hour(dateCreation) int:23)'],
  ['minute(dateCreation) eq 59', TASKS, '(eq minute(dateCreation) int:59)'],
  ['second(dateCreation) eq 0', TASKS, '(eq second(dateCreation) int:0)'],
  ['fractionalseconds(dateCreation) lt 0.1', TASKS, '(lt fractionalseconds(dateCreation) decimal:0.1)'],
  ['date(dateCreation) eq 2024-01-31', TASKS, '(eq date(dateCreation) date:2024-01-31)'],
  ['totaloffsetminutes(dateCreation) eq 0', TASKS, '(eq totaloffsetminutes(dateCreation) int:0)'],
  ['year(2024-01-01T00:00:00Z) eq 2024', TASKS, '(eq year(dto:2024-01-01T00:00:00.000Z) int:2024)'],
  ['totaloffsetminutes(2024-01-01T00:00:00+01:00) eq 60', TASKS, '(eq totaloffsetminutes(dto:2023-12-31T23:00:00.000Z@60) int:60)'],
  ['dateCreation lt now() and dateCreation gt mindatetime() and dateCreation lt maxdatetime()', TASKS, '(and (and (lt dateCreation now()) (gt dateCreation mindatetime())) (lt dateCreation maxdatetime()))'],
  ['round(roi) eq 1 and floor(roi) eq 1 and ceiling(roi) eq 2', AUTOMATIONS, '(and (and (eq round(roi) int:1) (eq floor(roi) int:1)) (eq ceiling(roi) int:2))'],
  ['round(taskCount div 3) eq 1', AUTOMATIONS, '(eq round((div taskCount int:3)) int:1)'],
  ["totalseconds(duration'PT1M') eq 60", TASKS, '(eq totalseconds(duration:60000) int:60)'],
  // lambdas on Runners.automations (§5.1.1.13)
  ["automations/any(a: a eq 'x')", RUNNERS, "automations/any(a: (eq $a 'x'))"],
  ["automations/any(a:startswith(a,'sup'))", RUNNERS, "automations/any(a: startswith($a 'sup'))"],
  ["automations/all(a: a ne 'x')", RUNNERS, "automations/all(a: (ne $a 'x'))"],
  ['automations/any()', RUNNERS, 'automations/any()'],
  ["automations/ANY(status: status eq 'x')", RUNNERS, "automations/any(status: (eq $status 'x'))"],
  ["automations/any(a: automations/any(b: a eq b))", RUNNERS, 'automations/any(a: automations/any(b: (eq $a $b)))'],
  ["automations/any(a: a eq $it/id)", RUNNERS, 'automations/any(a: (eq $a id))'],
  ['automations/$count gt 2', RUNNERS, '(gt length(automations) int:2)'],
  ['length(automations) gt 2', RUNNERS, '(gt length(automations) int:2)'],
  ["$it/state eq 'x'", TASKS, "(eq state 'x')"],
  // whitespace (BWS/RWS: space and tab)
  ["  state\teq  'A'  ", TASKS, "(eq state 'A')"],
  ["(state eq 'A')and(totalItems gt 1)", TASKS, "(and (eq state 'A') (gt totalItems int:1))"]
]

t.test('valid filters become the expected typed tree', async (t) => {
  for (const [filter, set, expected] of VALID) {
    t.equal(parsed(filter, set), expected, filter)
  }
})

t.test('and/or chains are balanced, so long chains stay shallow', async (t) => {
  t.equal(parsed("state eq 'a' or state eq 'b' or state eq 'c' or state eq 'd'"), "(or (or (eq state 'a') (eq state 'b')) (or (eq state 'c') (eq state 'd')))")
  t.equal(parsed("state eq 'a' and state eq 'b' and state eq 'c'"), "(and (and (eq state 'a') (eq state 'b')) (eq state 'c'))")
})

t.test('decoded literal values', async (t) => {
  const e = parseFilter(TASKS, 'dateCreation ge 2024-03-10T12:34:56.789+02:00')
  if (e.kind !== 'compare' || e.right.kind !== 'literal' || e.right.type !== 'datetimeoffset') throw new Error('shape')
  t.equal(e.right.value, Date.UTC(2024, 2, 10, 10, 34, 56, 789))
  t.equal(e.right.offsetMinutes, 120)
  t.equal(e.right.text, '2024-03-10T12:34:56.789+02:00')
  const d = parseFilter(TASKS, 'dateCreation ge 1999-12-31')
  if (d.kind !== 'compare' || d.right.kind !== 'literal' || d.right.type !== 'date') throw new Error('shape')
  t.equal(d.right.value, Date.UTC(1999, 11, 31))
  t.equal(d.right.text, '1999-12-31')
})

// [filter, set, code, message pattern]
const INVALID: [string, EntitySetDef, string, RegExp][] = [
  // syntax, with positions
  ["state eq 'FINISHED' and", TASKS, 'BRIDGE_ERR_SYNTAX', /^Syntax error in \$filter at position 24: expected an expression after 'and', at end of input$/],
  ["state eq 'x' and ", TASKS, 'BRIDGE_ERR_SYNTAX', /position 18: expected an expression after 'and'/],
  ['state eq', TASKS, 'BRIDGE_ERR_SYNTAX', /position 9: expected an expression after 'eq'/],
  ["(state eq 'x'", TASKS, 'BRIDGE_ERR_SYNTAX', /position 14: expected '\)' or an operator/],
  ["state eq 'x')", TASKS, 'BRIDGE_ERR_SYNTAX', /position 13: unbalanced '\)'/],
  ["state eq 'x", TASKS, 'BRIDGE_ERR_SYNTAX', /position 10: unterminated string literal/],
  ["state eq 'O'Neil'", TASKS, 'BRIDGE_ERR_SYNTAX', /position 17: unterminated string literal/],
  ["state eq 'x' and and", TASKS, 'BRIDGE_ERR_SYNTAX', /position 18: expected an expression before the operator 'and'/],
  ["state eq 'a' foo", TASKS, 'BRIDGE_ERR_SYNTAX', /position 14: expected an operator .*, at 'foo'/],
  ['', TASKS, 'BRIDGE_ERR_SYNTAX', /position 1: expected an expression/],
  ['()', TASKS, 'BRIDGE_ERR_SYNTAX', /position 2: expected an expression inside/],
  ["state eq \"x\"", TASKS, 'BRIDGE_ERR_SYNTAX', /string literals take single quotes in OData/],
  ["state == 'x'", TASKS, 'BRIDGE_ERR_SYNTAX', /position 7: unexpected character '='/],
  ["state in ()", TASKS, 'BRIDGE_ERR_SYNTAX', /position 11: expected a value in the 'in' list/],
  ["state in ('a',)", TASKS, 'BRIDGE_ERR_SYNTAX', /position 15/],
  ["state in ('a' 'b')", TASKS, 'BRIDGE_ERR_SYNTAX', /expected ',' or '\)' in the 'in' list/],
  ['state in', TASKS, 'BRIDGE_ERR_SYNTAX', /expected a list/],
  ["contains(state)", TASKS, 'BRIDGE_ERR_SYNTAX', /contains\(\) takes 2 arguments/],
  ["contains(state,'a','b')", TASKS, 'BRIDGE_ERR_SYNTAX', /takes 2 arguments/],
  ["contains(state,)", TASKS, 'BRIDGE_ERR_SYNTAX', /expected an argument of contains/],
  ['now(1) eq now()', TASKS, 'BRIDGE_ERR_SYNTAX', /takes 0 arguments/],
  ["foo(state) eq 'x'", TASKS, 'BRIDGE_ERR_SYNTAX', /unknown function 'foo'; the supported functions are contains, startswith/],
  ["substringof('a',state)", TASKS, 'BRIDGE_ERR_SYNTAX', /unknown function 'substringof'/],
  ["any(a: a eq 'x')", RUNNERS, 'BRIDGE_ERR_SYNTAX', /must follow a collection/],
  ["automations/any(a a eq 'x')", RUNNERS, 'BRIDGE_ERR_SYNTAX', /expected ':' after the lambda variable/],
  ['automations/all()', RUNNERS, 'BRIDGE_ERR_SYNTAX', /expected a lambda variable name/],
  ["automations/any(a: )", RUNNERS, 'BRIDGE_ERR_SYNTAX', /expected a Boolean expression/],
  ["automations/foo", RUNNERS, 'BRIDGE_ERR_SYNTAX', /expected any\(…\), all\(…\) or \$count/],
  ["automations/any(a: automations/any(a: a eq 'x'))", RUNNERS, 'BRIDGE_ERR_SYNTAX', /already in use/],
  ['- eq 1', TASKS, 'BRIDGE_ERR_SYNTAX', /position 3: expected an expression before the operator 'eq'/],
  ['-', TASKS, 'BRIDGE_ERR_SYNTAX', /position 2: expected an expression after '-'/],
  ['+ 5 eq id', TASKS, 'BRIDGE_ERR_SYNTAX', /'\+' must be followed by a number/],
  ['not', TASKS, 'BRIDGE_ERR_SYNTAX', /expected an expression after 'not'/],
  ["$it eq 'x'", TASKS, 'BRIDGE_ERR_SYNTAX', /expected '\/' and a property name after \$it/],
  ["$foo eq 'x'", TASKS, 'BRIDGE_ERR_SYNTAX', /unexpected '\$foo'/],
  // unknown properties: only the model resolves names
  ['foo eq 1', TASKS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /^Property 'foo' does not exist on type 'Task'$/],
  ['constructor eq 1', TASKS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /^Property 'constructor' does not exist on type 'Task'$/],
  ['__proto__ eq null', TASKS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /^Property '__proto__' does not exist on type 'Task'$/],
  ["toString eq 'x'", TASKS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /^Property 'toString' does not exist on type 'Task'$/],
  ['hasOwnProperty eq 1', RUNNERS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /on type 'Runner'/],
  ["State eq 'x'", TASKS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /'State'/],
  ["ContactTitle eq 'Sales Representative'", TASKS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /ContactTitle/],
  ["automations/any(a: b eq 'x')", RUNNERS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /'b'/],
  ['label eq 1', TASKS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /'label'/],
  // type mismatches
  ['state gt 5', TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /position 1: 'gt' cannot compare Edm.String with Edm.Int32 \('state gt 5'\)/],
  ["contains(id,'1')", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /contains\(Edm.Int64, Edm.String\) does not match contains\(Edm.String, Edm.String\)/],
  ["id eq '5'", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /cannot compare Edm.Int64 with Edm.String/],
  ['state eq true', TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /Edm.String with Edm.Boolean/],
  ['dateCreation eq 12:00', TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /Edm.DateTimeOffset with Edm.TimeOfDay/],
  ["state in ('a', 1)", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /'in' cannot compare Edm.String with Edm.Int32/],
  ["state in automations", RUNNERS, 'BRIDGE_ERR_UNKNOWN_PROPERTY', /'state'/],
  ["status in id", RUNNERS, 'BRIDGE_ERR_TYPE_MISMATCH', /needs a list '\(…\)' or a collection/],
  ["automations in ('a')", RUNNERS, 'BRIDGE_ERR_TYPE_MISMATCH', /left operand of 'in' must be a single value/],
  ["automations eq 'a'", RUNNERS, 'BRIDGE_ERR_TYPE_MISMATCH', /collection-valued 'automations' can only be used with any\/all, in or length\(\)/],
  ['state', TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /must be a Boolean expression, but 'state' is Edm.String/],
  ['null', TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /must be a Boolean expression/],
  ['totalItems add 1', TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /Edm.Int32/],
  ["state and true", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /'and' needs Boolean operands, but 'state' is Edm.String/],
  ["true or 1", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /'or' needs Boolean operands/],
  ["not state eq 'x'", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /'not' needs a Boolean operand.*not \(a eq b\)/],
  ["totalItems add 'x' eq 1", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /'add' cannot combine Edm.Int32 and Edm.String/],
  ["-state eq 'x'", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /'-' cannot negate Edm.String/],
  ['dateCreation add 1 gt now()', TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /'add' cannot combine Edm.DateTimeOffset and Edm.Int32/],
  ['totalItems div 0 eq 1', TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /position 16: 'div' by zero fails for Edm.Int32/],
  ['roi mod 0 eq 1', AUTOMATIONS, 'BRIDGE_ERR_TYPE_MISMATCH', /'mod' by zero/],
  ["state has 'x'", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /'has' tests enumeration flags/],
  ["state eq Sales.Pattern'Yellow'", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /not a type of this service/],
  ["year(state) eq 1", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /year\(Edm.String\)/],
  ["substring(state,'1') eq 'x'", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /substring/],
  ['hour(2024-01-01) eq 1', TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /hour\(Edm.Date\)/],
  ["automations/any(a: a)", RUNNERS, 'BRIDGE_ERR_TYPE_MISMATCH', /predicate must be Boolean/],
  ["automations/any(a: a/foo eq 1)", RUNNERS, 'BRIDGE_ERR_TYPE_MISMATCH', /lambda variable 'a' is Edm.String and has no members/],
  ["state/foo eq 1", TASKS, 'BRIDGE_ERR_TYPE_MISMATCH', /'state' is Edm.String and has no members/],
  // impossible literals: no rollover
  ['dateCreation ge 2024-02-30', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /position 17: day 30 does not exist in 2024-02 \(it has 29 days\)/],
  ['dateCreation ge 2023-02-29', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /day 29 does not exist/],
  ['dateCreation ge 2024-13-01', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /month 13 is out of range/],
  ['dateCreation ge 2024-00-10', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /month 00/],
  ['dateCreation ge 2024-04-31T00:00:00Z', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /day 31/],
  ['dateCreation ge 2024-01-01T25:00:00Z', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /hour 25 is out of range 00–23/],
  ['dateCreation ge 2024-01-01T24:00:00Z', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /hour 24/],
  ['dateCreation ge 2024-01-01T10:60:00Z', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /minute 60/],
  ['dateCreation ge 2024-01-01T10:00:61Z', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /second 61/],
  ['dateCreation ge 2024-01-01T10:00:00+25:00', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /offset/],
  ['dateCreation ge 0000-01-01', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /year 0000/],
  ['dateCreation ge 10000-01-01', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /YYYY-MM-DD/],
  ['dateCreation ge 2024-01-01T10:00:00', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /no time zone.*%2B/],
  ['dateCreation ge 2024-01-01T00:00:00 01:00', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /no time zone/],
  ['dateCreation ge 2024-01-01T1:00:00Z', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /not a time of day/],
  ['time(dateCreation) lt 25:00', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /hour 25/],
  ['time(dateCreation) lt 12:00:00.1234567890123', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /not a time of day/],
  ["dateCreation sub dateStartRunning gt duration'P1Y'", TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /years and months are not allowed/],
  ["dateCreation sub dateStartRunning gt duration'PT'", TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /not a duration/],
  ["dateCreation sub dateStartRunning gt duration'P'", TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /not a duration/],
  ["dateCreation sub dateStartRunning gt 'one hour'", TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /not a duration/],
  ["dateCreation sub dateStartRunning gt duration'P99999999999999D'", TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /too large/],
  ['id eq 9007199254740993', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /outside the range/],
  ['roi eq 1e400', AUTOMATIONS, 'BRIDGE_ERR_INVALID_LITERAL', /outside the range of Edm.Double/],
  ['roi eq 1' + '0'.repeat(400) + '.5', AUTOMATIONS, 'BRIDGE_ERR_INVALID_LITERAL', /Edm.Decimal/],
  ['hour(2024-01-01T10:00:00+01:00) eq 9', TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /needs the literal in UTC/],
  ["substring(state,0,-1) eq 'x'", TASKS, 'BRIDGE_ERR_INVALID_LITERAL', /must not be negative/],
  // recognised, not implemented: 501
  ["matchesPattern(state,'^A')", TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /regular expressions/],
  ["cast(state,Edm.String) eq 'x'", TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /type casts/],
  ['isof(state,Edm.String)', TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /type tests/],
  ['state isof Edm.String', TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /isof/],
  ["geo.distance(a,b) lt 1", TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /geographic/],
  ["Ns.Fn(state) eq 1", TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /custom functions/],
  ["Automation/label eq 'x'", TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /navigation property 'Automation'/],
  ["BotCity.Insights.Task/state eq 'x'", TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /qualified names/],
  ['state eq @p', TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /parameter aliases/],
  ["state in ['a']", TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /JSON array/],
  ["state eq binary'AAEC'", TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /binary literals/],
  ["$root/Tasks(1)/state eq 'x'", TASKS, 'BRIDGE_ERR_NOT_IMPLEMENTED', /\$root/]
]

t.test('invalid filters give the right code, target and a message that says where', async (t) => {
  for (const [filter, set, code, pattern] of INVALID) {
    const err = fails(filter, set)
    t.equal(err.code, code, `${filter} → ${code}`)
    t.match(err.message, pattern, filter)
    t.equal(err.target, '$filter', `${filter} target`)
    t.ok(err.statusCode === 400 || err.statusCode === 501, `${filter} status`)
  }
})

t.test('unknown properties carry where and a case-insensitive suggestion in details', async (t) => {
  const err = fails("totalItems gt 1 and State eq 'x'")
  t.same(err.details, [{ code: 'BRIDGE_ERR_UNKNOWN_PROPERTY', message: "$filter at position 21 (did you mean 'state'? names are case-sensitive)", target: 'State' }])
})

t.test('errors a user can act on: the nearest names, quotes, OData v4 literals', async (t) => {
  const cases: [string, RegExp][] = [
    ["stat eq 'FINISHED'", /^Property 'stat' does not exist on type 'Task' \(did you mean 'state'\?\)$/],
    ['dateCreated ge 2024-01-01T00:00:00Z', /did you mean 'dateCreation'\?/],
    ['totalitems gt 1', /did you mean 'totalItems'\? names are case-sensitive/],
    ['state eq FINISHED', /Property 'FINISHED' does not exist on type 'Task' \(if FINISHED is a value, write it in single quotes: 'FINISHED'\)/],
    ['state eq "FINISHED"', /string literals take single quotes in OData \('FINISHED'\), not double quotes/],
    ["dateCreation ge datetime'2024-01-01T00:00:00'", /datetime'…' is OData v2\/v3 syntax: in OData v4 write the value without quotes and with a zone, e.g\. 2024-01-01T00:00:00Z/],
    ["dateCreation ge datetimeoffset'2024-01-01T00:00:00+03:00'", /e\.g\. 2024-01-01T00:00:00\+03:00/]
  ]
  for (const [filter, message] of cases) t.match(fails(filter).message, message, filter)
  t.notMatch(fails('zzzzzz eq 1').message, /did you mean/, 'no suggestion when nothing is near')
})

t.test('a lambda variable takes precedence over a property of the same name', async (t) => {
  t.equal(parsed("automations/any(id: id eq 'x')", RUNNERS), "automations/any(id: (eq $id 'x'))")
  t.equal(parsed("automations/any(id: $it/id eq id)", RUNNERS), 'automations/any(id: (eq id $id))')
})
