export interface DeliveryMemoryOptions {
  /** How long a delivery id is remembered. Default 24 hours. */
  ttlMs?: number;
  /** At most this many ids; the oldest is forgotten first. Default 10,000. */
  capacity?: number;
  now?: () => number;
}

export const DEFAULT_DELIVERY_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_DELIVERY_CAPACITY = 10_000;

/**
 * The X-GitHub-Delivery ids already taken, so that the same delivery is done once. A Map keeps
 * insertion order, and every id gets the same lifetime, so the oldest entry is always the first:
 * expiry and the size bound both trim from the front, in O(1) per id.
 */
export class DeliveryMemory {
  private readonly expiries = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(options: DeliveryMemoryOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_DELIVERY_TTL_MS;
    this.capacity = options.capacity ?? DEFAULT_DELIVERY_CAPACITY;
    // A monotonic clock: expiry order must follow insertion order even if the wall clock jumps.
    this.now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.expiries.size;
  }

  /** Remembers `id`; false when it was already remembered (a duplicate delivery). */
  claim(id: string): boolean {
    const now = this.now();
    this.expire(now);
    if (this.expiries.has(id)) return false;
    this.expiries.set(id, now + this.ttlMs);
    while (this.expiries.size > this.capacity) this.dropOldest();
    return true;
  }

  /**
   * Forgets `id`, so a redelivery of it is done again: GitHub's "Redeliver" keeps the delivery id,
   * and after a failed run that redelivery is how a person retries.
   */
  release(id: string): void {
    this.expiries.delete(id);
  }

  private expire(now: number): void {
    for (const [id, expiry] of this.expiries) {
      if (expiry > now) return;
      this.expiries.delete(id);
    }
  }

  private dropOldest(): void {
    const oldest = this.expiries.keys().next();
    if (!oldest.done) this.expiries.delete(oldest.value);
  }
}
