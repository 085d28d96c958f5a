// Rows as the bridge holds them: the model's properties only (so nothing
// undeclared ever reaches a payload, powerquery.md checklist item 6), with
// DateTimeOffset values as epoch milliseconds (the serializer writes them back
// as ISO-8601 with `Z`) and a collection as an array of strings.

export type RowValue = string | number | boolean | null | readonly string[]
export type Row = Readonly<Record<string, RowValue>>
