import type { AsPathSegment, Asn } from '../types.js';

/*
 * AS_PATH helpers shared by the decision process, import checks, export and policy. Paths are
 * the logical form of src/bgp/types.ts (4-octet ASNs, segments as the wire orders them).
 */

/** Most ASNs one segment may hold on the wire (the segment length is one octet). */
export const MAX_SEGMENT_ASNS = 255;

/**
 * The length RFC 4271 §9.1.2.2 (a) compares: each AS in an AS_SEQUENCE counts 1, a whole AS_SET
 * counts 1, and confederation segments (RFC 5065 §5.3) count 0.
 */
export function asPathLength(path: readonly AsPathSegment[]): number {
  let n = 0;
  for (const seg of path) {
    if (seg.type === 'sequence') n += seg.asns.length;
    else if (seg.type === 'set') n += 1;
  }
  return n;
}

/** Neighbour key for a path that starts inside our own AS (empty, or only confed segments). */
export const LOCAL_NEIGHBOUR = -1;

/**
 * The neighbouring AS whose MEDs a route may be compared against (RFC 4271 §9.1.2.2 (c)): the
 * first AS of the path once leading confederation segments are skipped. A path that is empty after
 * them was originated inside our AS (or confederation): such routes share `LOCAL_NEIGHBOUR`, as
 * FRR's `aspath_cmp_left` treats two empty paths as from the same neighbour. A path that starts
 * with an AS_SET has no single neighbour: `undefined`, and its MED is compared with nobody.
 */
export function neighbourAs(path: readonly AsPathSegment[]): Asn | undefined {
  for (const seg of path) {
    if (seg.type === 'confed-sequence' || seg.type === 'confed-set') continue;
    if (seg.type === 'set') return undefined;
    if (seg.asns.length > 0) return seg.asns[0];
  }
  return LOCAL_NEIGHBOUR;
}

/**
 * The originating AS: the last AS of the path when it ends with an AS_SEQUENCE, `undefined` when
 * it ends with an AS_SET (as RFC 6811 §2 defines it) or when the path is empty (our own route).
 */
export function originAs(path: readonly AsPathSegment[]): Asn | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i]!;
    if (seg.type === 'confed-sequence' || seg.type === 'confed-set') continue;
    if (seg.type === 'set') return undefined;
    if (seg.asns.length > 0) return seg.asns[seg.asns.length - 1];
  }
  return undefined;
}

/** How many times `asn` appears anywhere in the path (sets and confed segments included). */
export function asPathCount(path: readonly AsPathSegment[], asn: Asn): number {
  let n = 0;
  for (const seg of path) for (const a of seg.asns) if (a === asn) n++;
  return n;
}

/**
 * `asn` prepended `count` times, as a new path (the input is never modified). Fills the leading
 * AS_SEQUENCE up to 255 ASNs and opens new segments past that (RFC 4271 §5.1.2).
 */
export function asPathPrepend(path: readonly AsPathSegment[], asn: Asn, count = 1): AsPathSegment[] {
  if (count <= 0) return [...path];
  const out: AsPathSegment[] = [];
  const first = path[0];
  let rest = path;
  let lead: Asn[] = [];
  if (first !== undefined && first.type === 'sequence') {
    lead = [...first.asns];
    rest = path.slice(1);
  }
  const all = [...new Array<Asn>(count).fill(asn), ...lead];
  // Split into 255-ASN segments, the partial one first so the leading segment is the short one
  // (the same split the wire's longest-first rule would give when read back).
  const tail = all.length % MAX_SEGMENT_ASNS;
  let i = 0;
  if (tail !== 0) {
    out.push({ type: 'sequence', asns: all.slice(0, tail) });
    i = tail;
  }
  for (; i < all.length; i += MAX_SEGMENT_ASNS) out.push({ type: 'sequence', asns: all.slice(i, i + MAX_SEGMENT_ASNS) });
  return [...out, ...rest];
}

/**
 * The path as FRR and Cisco print it, the text AS-path regular expressions run over: sequences as
 * space-separated ASNs, AS_SET as `{a,b}`, confed sequence as `(a b)`, confed set as `[a b]`.
 */
export function formatAsPath(path: readonly AsPathSegment[]): string {
  const parts: string[] = [];
  for (const seg of path) {
    switch (seg.type) {
      case 'sequence':
        if (seg.asns.length > 0) parts.push(seg.asns.join(' '));
        break;
      case 'set':
        parts.push(`{${seg.asns.join(',')}}`);
        break;
      case 'confed-sequence':
        parts.push(`(${seg.asns.join(' ')})`);
        break;
      case 'confed-set':
        parts.push(`[${seg.asns.join(' ')}]`);
        break;
    }
  }
  return parts.join(' ');
}
