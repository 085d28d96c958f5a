// The two date formats of the Insights API (server in UTC):
// tasks carry an offset ("2024-02-09T20:02:40.032+00:00"),
// automations do not ("2024-02-23T23:00:02.513").

export function isoWithOffset(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00')
}

export function isoWithoutZone(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23)
}

export const DAY_MS = 86_400_000
