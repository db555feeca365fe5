import type { Ipv4Address } from '../net/address.js';
import type { PeerConfig } from './config.js';
import type { Proposal } from './payloads/sa.js';
import { sameIdentity, type Identity } from './payloads/id.js';
import { selectProposal } from './proposal.js';

/*
 * Which connection a peer's IKE SA belongs to, found as strongSwan finds a peer config: at
 * IKE_SA_INIT only the addresses are known, so every connection for them (whose proposals accept
 * the one chosen) stays a candidate; IKE_AUTH's identities then pick one — an exact remote
 * identity before "any", an exact remote address before %any, the IDr the initiator asked for
 * as the last tie-breaker, and the order of the file after that.
 */

/** Connections on `local` that take IKE_SA_INIT from `remote`: the exact address first, then %any. */
export function connectionsFor(peers: Iterable<PeerConfig>, local: Ipv4Address, remote: Ipv4Address): PeerConfig[] {
  const matching = [...peers].filter((p) => p.localAddress === local && (p.remoteAddress === undefined || p.remoteAddress === remote));
  return [...matching.filter((p) => p.remoteAddress !== undefined), ...matching.filter((p) => p.remoteAddress === undefined)];
}

/** The proposal the first candidate chooses, and the candidates that accept it too. */
export function chooseIkeProposal(candidates: readonly PeerConfig[], offered: readonly Proposal[]): { chosen: Proposal; candidates: PeerConfig[] } | undefined {
  for (const c of candidates) {
    const chosen = selectProposal(c.ikeProposals, offered);
    if (chosen === undefined) continue;
    return { chosen, candidates: candidates.filter((o) => o === c || selectProposal(o.ikeProposals, [chosen]) !== undefined) };
  }
  return undefined;
}

/** The candidate whose remote identity admits `idi`, best match first; undefined when none does. */
export function selectByIdentity(candidates: readonly PeerConfig[], idi: Identity, idr: Identity | undefined): PeerConfig | undefined {
  let best: { config: PeerConfig; score: number } | undefined;
  for (const config of candidates) {
    const id = config.remoteIdentity === undefined ? 1 : sameIdentity(config.remoteIdentity, idi) ? 2 : 0;
    if (id === 0) continue;
    const address = config.remoteAddress === undefined ? 1 : 2;
    const wanted = idr !== undefined && sameIdentity(config.localIdentity, idr) ? 1 : 0;
    const score = id * 4 + address * 2 + wanted;
    if (best === undefined || score > best.score) best = { config, score };
  }
  return best?.config;
}
