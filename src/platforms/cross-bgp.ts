import { isUnacceptableHoldTime } from '../bgp/timers.js';
import { formatIpv4, prefixContains, prefixesOverlap, prefixKey, type Ipv4Address, type Prefix } from '../net/address.js';
import type { Findings } from './adapter.js';
import type { RulesOf } from './cross-checks.js';
import type { BgpEnd, TunnelEnd } from './ends.js';
import type { Pairing } from './pairing.js';

/*
 * The BGP session over each paired tunnel, its two ends compared whatever platforms they are:
 * BGP on at one end and off (or missing) at the other, each end's ASN against the one its peer
 * expects, equal ASNs on an eBGP session, the peering addresses on both sides, nobody opening
 * the session (both passive), a hold time below timers the peer fixes, and prefix counts above
 * what the peer accepts. Findings go to the `b` end's fields (the platform listed later in the
 * adapters' table: the device facing the cloud).
 */

export function checkBgpPairs(pairing: Pairing, rules: RulesOf, report: Findings): void {
  const sessions: [BgpEnd, BgpEnd][] = [];
  for (const { a, b } of pairing.pairs) {
    const [A, B] = [sessionsFor(pairing, a, b), sessionsFor(pairing, b, a)];
    if (!checkBothOn(a, A, b, B, rules, report)) continue;
    for (const x of A) {
      for (const y of B) {
        if (!faces(a, x, b, y) || x.off !== undefined || y.off !== undefined) continue;
        compareSessions(x, y, report);
        sessions.push([x, y]);
      }
    }
  }
  checkPrefixLimits(sessions, report);
}

/** The addresses a peer aiming at `end`'s side would name, and the networks behind it. */
function targetsOf(pairing: Pairing, end: TunnelEnd): { addresses: Set<Ipv4Address>; sessions: readonly BgpEnd[] } {
  const sessions = end.bgp !== undefined ? [end.bgp] : end.bgpHome !== undefined ? pairing.sessions.get(end.siteIndex) ?? [] : [];
  return { addresses: new Set(sessions.flatMap((s) => s.ownAddresses)), sessions };
}

/**
 * The BGP sessions `end` runs towards `other`: the one tied to the tunnel, or — where BGP is its
 * own resource — the site's peers aiming at the other side: at one of its BGP addresses, else
 * into the networks behind it.
 */
function sessionsFor(pairing: Pairing, end: TunnelEnd, other: TunnelEnd): readonly BgpEnd[] {
  if (end.bgp !== undefined) return [end.bgp];
  if (end.bgpHome === undefined) return [];
  const own = pairing.sessions.get(end.siteIndex) ?? [];
  const target = targetsOf(pairing, other);
  const aimed = own.filter((s) => s.peerAddress !== undefined && target.addresses.has(s.peerAddress.value));
  if (aimed.length > 0) return aimed;
  return own.filter((s) => s.peerAddress !== undefined && target.sessions.some((t) => t.behind.some((p) => prefixContains(p, s.peerAddress!.value))));
}

function faces(a: TunnelEnd, x: BgpEnd, b: TunnelEnd, y: BgpEnd): boolean {
  if (a.bgp !== undefined || b.bgp !== undefined) return true;
  return (y.peerAddress !== undefined && x.ownAddresses.includes(y.peerAddress.value)) || (x.peerAddress !== undefined && y.ownAddresses.includes(x.peerAddress.value));
}

/** BGP on at one end and off or missing at the other; true when both run it. */
function checkBothOn(a: TunnelEnd, A: readonly BgpEnd[], b: TunnelEnd, B: readonly BgpEnd[], rules: RulesOf, report: Findings): boolean {
  let bothOn = true;
  for (const [x, X, y, Y] of [[a, A, b, B], [b, B, a, A]] as const) {
    const off = x.bgp?.off;
    const on = Y.filter((s) => s.off === undefined);
    if (off !== undefined && on.length > 0) {
      bothOn = false;
      if (y.bgp !== undefined) {
        report.warning('PAIR_BGP_OFF', off.path, `${y.label} runs BGP but on the other side ${off.why}: the BGP session never comes up, so no routes are learned over the tunnel`,
          'enable BGP on both ends, or on neither');
      } else {
        for (const s of on) {
          report.warning('PAIR_BGP_OFF', s.path, `${s.label} peers with ${x.bgp!.speaker} at ${formatIpv4(s.peerAddress!.value)}, but ${off.why}: ${rules(x.platform).title} never answers the OPEN and the BGP session never comes up`,
            `turn BGP on for ${x.label} (${off.why}), or remove the BGP peer`);
        }
      }
    }
    const mine = X.filter((s) => s.off === undefined);
    if (x.bgp !== undefined && mine.length > 0 && Y.length === 0 && y.bgpHome !== undefined) {
      bothOn = false;
      const s = x.bgp;
      const expects = [s.peerAsn !== undefined ? `AS ${s.peerAsn.value}` : undefined, s.peerAddress !== undefined ? formatIpv4(s.peerAddress.value) : undefined].filter((t) => t !== undefined).join(', ');
      report.warning('PAIR_BGP_OFF', y.bgpHome.path, `${x.label} runs BGP${expects === '' ? '' : ` (expecting ${expects})`}, but ${y.gateway.name} has no BGP peer for ${s.speaker}: the BGP session never comes up`,
        y.bgpHome.fix(s));
    }
  }
  return bothOn;
}

/** `x` on the first end, `y` on the second: what would close or never open the session, reported at `y`. */
function compareSessions(x: BgpEnd, y: BgpEnd, report: Findings): void {
  if (x.off !== undefined || y.off !== undefined) return;
  if (x.peerAsn !== undefined && y.localAsn !== undefined && y.localAsn.value !== x.peerAsn.value) {
    report.warning('PAIR_ASN_MISMATCH', y.localAsn.path, `${y.speaker} speaks as AS ${y.localAsn.value} to ${x.speaker} (${y.label}), but ${x.peerAsn.name} says ${x.peerAsn.value}: ${x.speaker} expects AS ${x.peerAsn.value}, so the BGP session is closed with NOTIFICATION Bad Peer AS`,
      `make them equal: ${y.localAsn.name} ${x.peerAsn.value}, or ${x.peerAsn.name} ${y.localAsn.value}`);
  }
  if (x.localAsn !== undefined && y.localAsn !== undefined && x.localAsn.value === y.localAsn.value) {
    report.warning('PAIR_DUPLICATE_ASN', y.localAsn.path, `${y.speaker} speaks as AS ${y.localAsn.value} to ${x.speaker}, whose ASN is also ${x.localAsn.value}: the two ends of an eBGP session need different ASNs, so the session is closed with NOTIFICATION Bad Peer AS`,
      'give each side its own private ASN (and the side that describes its peer the same one)');
  }
  if (y.peerAsn !== undefined && x.localAsn !== undefined && y.peerAsn.value !== x.localAsn.value) {
    report.warning('PAIR_PEER_ASN_MISMATCH', y.peerAsn.path, `${y.peerAsn.name} ${y.peerAsn.value} is not the ASN of ${x.speaker} (${x.localAsn.value}): ${y.speaker} closes the session with NOTIFICATION Bad Peer AS when its OPEN arrives`,
      `make ${y.peerAsn.name} ${x.localAsn.value}`);
  }
  const expected = x.answersOn.map(formatIpv4).join(' or ');
  if (y.peerAddress !== undefined && x.answersOn.length > 0 && !x.answersOn.includes(y.peerAddress.value)) {
    report.warning('PAIR_BGP_PEER_ADDRESS', y.peerAddress.path, `${y.label} ${y.peerAddress.name} ${formatIpv4(y.peerAddress.value)} is not the BGP address of ${x.speaker} (${expected}): ${y.speaker} sends its OPEN to an address nobody speaks BGP on, so the BGP session never comes up`,
      `set ${y.peerAddress.name}: ${expected}`);
  }
  if (x.peerAddress !== undefined && y.localAddress !== undefined && y.localAddress.value !== x.peerAddress.value) {
    const want = formatIpv4(x.peerAddress.value);
    report.warning('PAIR_BGP_PEER_ADDRESS', y.localAddress.path, `${y.label} ${y.localAddress.name} ${formatIpv4(y.localAddress.value)} is not ${x.peerAddress.name} ${want}: ${x.speaker} accepts BGP only from ${want}, so the BGP session never comes up`,
      'make the two addresses equal');
  }
  if (x.passive.value && y.passive.value) {
    report.warning('PAIR_BGP_NO_INITIATOR', y.passive.path, `${y.passive.name} and ${x.passive.name}: nobody opens the BGP session, so it never comes up`,
      [y.passiveFix, x.passiveFix].filter((f) => f !== '').join(', or '));
  }
  for (const [fixed, other] of [[x, y], [y, x]] as const) checkHoldTime(fixed, other, report);
}

/**
 * What each speaker sends each peer once BGP has converged — what it originates, and what it
 * learned from its other peers when it passes routes on (transit) — against what the peer
 * accepts: a VNet two hops from on premises counts the on-premises prefixes too.
 */
function checkPrefixLimits(sessions: readonly [BgpEnd, BgpEnd][], report: Findings): void {
  const directed = sessions.flatMap(([x, y]) => [[x, y], [y, x]] as const).filter(([from]) => from.advertises !== undefined);
  // learned: speaker → prefix (by prefixKey) → the prefix and the speakers it was learned from;
  // with a count of changes, so a pass skips a session whose sender has learned nothing new.
  const learned = new Map<string, { table: Map<number, { prefix: Prefix; sources: Set<string> }>; changes: number }>();
  const speakerOf = (end: BgpEnd): string | undefined => end.advertises?.speaker;
  const tableOf = (speaker: string): { table: Map<number, { prefix: Prefix; sources: Set<string> }>; changes: number } => {
    let entry = learned.get(speaker);
    if (entry === undefined) learned.set(speaker, entry = { table: new Map(), changes: 0 });
    return entry;
  };
  const sent = (from: BgpEnd, to: BgpEnd): Map<number, Prefix> => {
    const adv = from.advertises!;
    const out = new Map<number, Prefix>();
    for (const p of adv.originates) if (p.length > 0) out.set(prefixKey(p), p);
    if (!adv.transit) return out;
    const back = speakerOf(to);
    for (const [key, { prefix, sources }] of learned.get(adv.speaker)?.table ?? []) {
      if (prefix.length === 0 || out.has(key) || (sources.size === 1 && sources.has(back!))) continue;
      if (adv.withheld.length > 0 && adv.withheld.some((w) => prefixesOverlap(w, prefix))) continue;
      out.set(key, prefix);
    }
    return out;
  };
  const seen = new Map<readonly [BgpEnd, BgpEnd], number>();
  for (let changed = true, round = 0; changed && round <= directed.length; round++) {
    changed = false;
    for (const pair of directed) {
      const [from, to] = pair;
      const senderChanges = learned.get(from.advertises!.speaker)?.changes ?? 0;
      if (seen.get(pair) === senderChanges) continue;
      seen.set(pair, senderChanges);
      const receiver = tableOf(speakerOf(to) ?? `${to.siteIndex}/${to.label}`);
      for (const [key, prefix] of sent(from, to)) {
        let entry = receiver.table.get(key);
        if (entry === undefined) receiver.table.set(key, entry = { prefix, sources: new Set<string>() });
        if (entry.sources.has(from.advertises!.speaker)) continue;
        entry.sources.add(from.advertises!.speaker);
        receiver.changes++;
        changed = true;
      }
    }
  }
  for (const [from, to] of directed) {
    if (to.accepts === undefined) continue;
    const adv = from.advertises!;
    const all = sent(from, to);
    if (all.size <= to.accepts.limit) continue;
    const own = new Set(adv.originates.map(prefixKey));
    const passedOn = [...all.keys()].filter((p) => !own.has(p)).length;
    report.warning('PAIR_PREFIX_LIMIT', adv.path, `${from.speaker} advertises ${all.size} prefixes to ${to.speaker}${passedOn > 0 ? ` (${passedOn} of them learned from other peers)` : ''}, more than ${to.accepts.what}: ${to.accepts.effect}`,
      [adv.fix, to.accepts.fix].filter((f) => f !== undefined).join(', or '));
  }
}

/** A hold time below the one a peer fixes (Azure's 60/180 s) makes the session drop on one late KEEPALIVE. */
function checkHoldTime(fixed: BgpEnd, other: BgpEnd, report: Findings): void {
  const timers = fixed.fixedTimers;
  const hold = other.holdTime;
  if (timers === undefined || hold === undefined || hold.value >= timers.hold || isUnacceptableHoldTime(hold.value)) return;
  const effect = hold.value === 0 ? 'hold time 0 turns keepalives off, so a dead session is never noticed'
    : `the session runs with a ${hold.value}-s hold time against the fixed ${timers.keepalive}/${timers.hold} s timers of ${fixed.speaker}, so a late or lost KEEPALIVE drops it (NOTIFICATION Hold Timer Expired) and BGP is unstable`;
  report.warning('PAIR_HOLD_TIME_LOW', hold.path, `${other.label} ${hold.name} ${hold.value} towards ${fixed.speaker}: ${effect}`, `leave ${hold.name} at ${timers.hold} (the hold time of ${fixed.speaker})`);
}
