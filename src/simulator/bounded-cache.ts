/** A Map that forgets its oldest entries beyond `capacity`. */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>()

  constructor (private readonly capacity: number) {}

  get(key: string, compute: () => V): V {
    const hit = this.entries.get(key)
    if (hit !== undefined) return hit
    const value = compute()
    this.set(key, value)
    return value
  }

  set(key: string, value: V): void {
    this.entries.set(key, value)
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string
      this.entries.delete(oldest)
    }
  }
}
