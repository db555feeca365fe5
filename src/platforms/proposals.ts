import { parseProposals, selectProposal } from '../ike/proposal.js';
import type { Proposal } from '../ike/payloads/sa.js';
import { withoutDh } from '../ike/tasks/common.js';

/*
 * Whether two ends' proposal lists (strongSwan syntax, as the platforms' defaults files produce
 * them) have something in common, judged by the engine's own selection (selectProposal): the IKE
 * SA in IKE_SA_INIT; the first CHILD_SA, which IKE_AUTH negotiates without a key exchange, so
 * with the DH (PFS) groups left out on both sides (RFC 7296 §1.2); and CHILD_SA rekeys
 * (CREATE_CHILD_SA), where the PFS group counts.
 */

export interface ProposalSet {
  readonly ike: readonly string[];
  /** What the end offers when it initiates (and accepts). */
  readonly esp: readonly string[];
  /** What it accepts as responder beyond its offers (Azure's wider responder list). */
  readonly espAccepted?: readonly string[];
}

export interface ProposalMatch {
  /** Our first IKE proposal the peer accepts, or undefined: IKE_SA_INIT fails with NO_PROPOSAL_CHOSEN. */
  readonly ike: string | undefined;
  /** Our first ESP offer that fits the first CHILD_SA (DH removed), or undefined. */
  readonly childSa: string | undefined;
  /** Our first ESP offer the peer accepts on a rekey (with its PFS group), or undefined. */
  readonly rekey: string | undefined;
}

function firstMatch(ours: readonly string[], theirs: readonly Proposal[], kind: 'ike' | 'esp', noDh = false): string | undefined {
  const other = noDh ? withoutDh(theirs) : theirs;
  return ours.find((text) => {
    const mine = parseProposals([text], kind);
    return selectProposal(noDh ? withoutDh(mine) : mine, other) !== undefined;
  });
}

/** `ours` initiating towards `theirs`: what IKE_SA_INIT, IKE_AUTH's CHILD_SA and a CHILD_SA rekey come to. */
export function matchProposals(ours: ProposalSet, theirs: ProposalSet): ProposalMatch {
  const theirEsp = parseProposals([...theirs.esp, ...(theirs.espAccepted ?? [])], 'esp');
  return {
    ike: firstMatch(ours.ike, parseProposals(theirs.ike, 'ike'), 'ike'),
    childSa: firstMatch(ours.esp, theirEsp, 'esp', true),
    rekey: firstMatch(ours.esp, theirEsp, 'esp'),
  };
}
