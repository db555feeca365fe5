import type { Ipv4Address } from '../net/address.js';
import type { IkeSa } from './ike-sa.js';

/*
 * The responder's half-open IKE SAs (IKE_SA_INIT answered, IKE_AUTH not yet done), found by the
 * initiator's SPI and address (a retransmitted IKE_SA_INIT) and counted per source address, as
 * strongSwan's ike_sa_manager counts them for block_threshold. Each SA is filed under the address
 * its IKE_SA_INIT came from, so it leaves under that key even if the peer moves meanwhile.
 */
export class HalfOpenTable {
  private readonly byKey = new Map<string, IkeSa>();
  private readonly filed = new Map<IkeSa, { key: string; source: Ipv4Address }>();
  private readonly perSource = new Map<Ipv4Address, number>();

  get size(): number {
    return this.byKey.size;
  }

  /** Half-open SAs whose IKE_SA_INIT came from `source`. */
  from(source: Ipv4Address): number {
    return this.perSource.get(source) ?? 0;
  }

  find(spiI: bigint, source: Ipv4Address): IkeSa | undefined {
    return this.byKey.get(keyOf(spiI, source));
  }

  add(sa: IkeSa, spiI: bigint, source: Ipv4Address): void {
    const key = keyOf(spiI, source);
    const previous = this.byKey.get(key);
    if (previous !== undefined) this.remove(previous);
    this.byKey.set(key, sa);
    this.filed.set(sa, { key, source });
    this.perSource.set(source, this.from(source) + 1);
  }

  remove(sa: IkeSa): void {
    const f = this.filed.get(sa);
    if (f === undefined) return;
    this.filed.delete(sa);
    this.byKey.delete(f.key);
    const n = this.from(f.source) - 1;
    if (n > 0) this.perSource.set(f.source, n);
    else this.perSource.delete(f.source);
  }
}

function keyOf(spiI: bigint, source: Ipv4Address): string {
  return `${spiI}|${source}`;
}
