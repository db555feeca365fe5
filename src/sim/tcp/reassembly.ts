interface Pending {
  offset: number;
  data: Uint8Array;
  fin: boolean;
}

/**
 * Segments that arrived ahead of the next expected byte, held until the gap fills (RFC 9293
 * §3.10.7.4 allows a receiver to keep them). Offsets are stream offsets; the connection only
 * inserts what lies within its receive window, so the queue is bounded by the window.
 */
export class ReassemblyQueue {
  private items: Pending[] = [];

  get count(): number {
    return this.items.length;
  }

  insert(offset: number, data: Uint8Array, fin: boolean): void {
    const end = offset + data.length;
    let at = 0;
    for (; at < this.items.length; at++) {
      const item = this.items[at]!;
      const itemEnd = item.offset + item.data.length;
      if (item.offset <= offset && itemEnd >= end && (item.fin || !fin)) return;
      if (item.offset > offset) break;
    }
    this.items.splice(at, 0, { offset, data, fin });
  }

  /**
   * Removes what continues the stream at `next`: the new in-order chunks, the offset after them
   * and whether the peer's FIN follows directly.
   */
  take(next: number): { chunks: Uint8Array[]; next: number; fin: boolean } {
    const chunks: Uint8Array[] = [];
    let fin = false;
    while (this.items.length > 0 && this.items[0]!.offset <= next) {
      const item = this.items.shift()!;
      const end = item.offset + item.data.length;
      if (end > next) {
        chunks.push(item.data.subarray(next - item.offset));
        next = end;
      }
      if (item.fin && end === next) {
        fin = true;
        this.items = [];
      }
    }
    return { chunks, next, fin };
  }

  clear(): void {
    this.items = [];
  }
}
