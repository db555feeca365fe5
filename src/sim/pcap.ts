/**
 * Classic libpcap capture files (https://www.tcpdump.org/manpages/pcap-savefile.5.html), link
 * type LINKTYPE_RAW (101): each record is a bare IPv4 packet. Timestamps are the simulator's
 * virtual time in microseconds from `epochSeconds`, so the same run writes the same bytes.
 */
export const LINKTYPE_RAW = 101;
const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
const SNAPLEN = 65535;

export class PcapWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private readonly epochSeconds: number;
  packets = 0;

  constructor(epochSeconds = 0) {
    this.epochSeconds = epochSeconds;
    const h = new DataView(new ArrayBuffer(24));
    h.setUint32(0, PCAP_MAGIC_MICROS, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    h.setInt32(8, 0, true);
    h.setUint32(12, 0, true);
    h.setUint32(16, SNAPLEN, true);
    h.setUint32(20, LINKTYPE_RAW, true);
    this.push(new Uint8Array(h.buffer));
  }

  /** Records a packet seen at virtual time `timeMs`. The bytes are copied. */
  record(timeMs: number, packet: Uint8Array): void {
    const micros = Math.round(timeMs * 1000);
    const seconds = this.epochSeconds + Math.floor(micros / 1_000_000);
    const captured = Math.min(packet.length, SNAPLEN);
    const rec = new Uint8Array(16 + captured);
    const v = new DataView(rec.buffer);
    v.setUint32(0, seconds, true);
    v.setUint32(4, micros % 1_000_000, true);
    v.setUint32(8, captured, true);
    v.setUint32(12, packet.length, true);
    rec.set(packet.subarray(0, captured), 16);
    this.push(rec);
    this.packets++;
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}
