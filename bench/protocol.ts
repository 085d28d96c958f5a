// Messages between the benchmark (processes.ts) and a server process (child.ts).

export type ChildStart =
  | {
    readonly kind: 'bridge'
    /** Bridge configuration variables (PAGE_SIZE …); the upstream ones are set from the fields below. */
    readonly env: Readonly<Record<string, string>>
    readonly upstreamUrl: string
    readonly login: string
    readonly key: string
    /** A frozen clock (epoch ms), to agree with a simulator started with the same one. */
    readonly now?: number
    /** The real clock, moved forward by 'advance' requests (to agree with a simulator whose clock jumps the same). */
    readonly movingClock?: true
  }
  | { readonly kind: 'plain'; readonly bodyBase64: string; readonly contentType: string }

export type ChildRequest =
  | { readonly kind: 'start'; readonly id: number; readonly init: ChildStart }
  | { readonly kind: 'usage'; readonly id: number; readonly gc?: boolean }
  | { readonly kind: 'advance'; readonly id: number; readonly ms: number }
  | { readonly kind: 'close'; readonly id: number }

export type ChildReply =
  | { readonly kind: 'ready'; readonly id: number; readonly url: string }
  | { readonly kind: 'usage'; readonly id: number; readonly rss: number; readonly heapUsed: number; readonly maxRss: number }
  | { readonly kind: 'closed'; readonly id: number }
  | { readonly kind: 'advanced'; readonly id: number }
  | { readonly kind: 'error'; readonly id: number; readonly message: string }
