const MAX_LENGTH = 200

/** Replaces every occurrence of each secret (token, key) with a marker. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('[redacted]')
  }
  return out
}

function pickMessage(parsed: unknown): string | undefined {
  if (typeof parsed === 'string') return parsed
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { message, error } = parsed as { message?: unknown; error?: unknown }
  if (typeof message === 'string' && message.trim() !== '') return message
  if (typeof error === 'string') return error
  return undefined
}

/**
 * The upstream's own words for an error, fit for an error message: `message` of a JSON
 * body (Spring: {timestamp, status, error, message, path}) or short plain text; never
 * HTML; one line, secrets redacted, truncated.
 */
export function upstreamMessage(body: string, secrets: readonly string[]): string | undefined {
  const trimmed = body.trim()
  if (trimmed === '' || trimmed.startsWith('<')) return undefined
  let text: string | undefined
  try {
    text = pickMessage(JSON.parse(trimmed))
  } catch {
    text = trimmed
  }
  if (text === undefined) return undefined
  // eslint-disable-next-line no-control-regex
  const oneLine = redact(text, secrets).replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim()
  if (oneLine === '') return undefined
  return oneLine.length > MAX_LENGTH ? `${oneLine.slice(0, MAX_LENGTH - 1)}…` : oneLine
}
