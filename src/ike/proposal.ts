import { InvalidArgumentError } from '../core/errors.js';
import { DhGroup, EncrId, EsnId, IntegId, PrfId, TransformType, transformName } from '../crypto/iana.js';
import { ProtocolId } from './constants.js';
import { transform, type Proposal, type Transform } from './payloads/sa.js';

/*
 * Proposals as users write them — strongSwan's syntax, which Azure, Alibaba and most vendor
 * guides can be translated into: `aes256-sha256-modp2048` (IKE: encryption, integrity, PRF taken
 * from the integrity algorithm, DH group), `aes256gcm16-prfsha384-ecp384`, `aes256-sha1` (ESP, no
 * PFS), `aes128-sha1-modp1024-esn`. Several algorithms of one kind in one proposal mean "any of".
 *
 * And the responder's choice (RFC 7296 §2.7, §3.3.6): the first of our proposals, in our order,
 * that one of the peer's proposals can meet, with our most preferred transform of each type.
 */

export type ProposalProtocol = 'ike' | 'esp';

interface Keyword { type: TransformType; id: number; keyLength?: number }

const ENCRYPTION: Record<string, Keyword> = {};
for (const bits of [128, 192, 256]) {
  ENCRYPTION[`aes${bits}`] = { type: TransformType.Encryption, id: EncrId.AesCbc, keyLength: bits };
  for (const [icv, id] of [[8, EncrId.AesGcm8], [12, EncrId.AesGcm12], [16, EncrId.AesGcm16]] as const) {
    ENCRYPTION[`aes${bits}gcm${icv}`] = { type: TransformType.Encryption, id, keyLength: bits };
  }
  ENCRYPTION[`aes${bits}gcm`] = ENCRYPTION[`aes${bits}gcm16`]!;
}
ENCRYPTION.aes = ENCRYPTION.aes128!;
ENCRYPTION['3des'] = { type: TransformType.Encryption, id: EncrId.Des3 };

const INTEGRITY: Record<string, number> = {
  md5: IntegId.HmacMd5_96, sha1: IntegId.HmacSha1_96, sha: IntegId.HmacSha1_96,
  sha256: IntegId.HmacSha2_256_128, sha384: IntegId.HmacSha2_384_192, sha512: IntegId.HmacSha2_512_256,
};
const PRF: Record<string, number> = {
  prfmd5: PrfId.HmacMd5, prfsha1: PrfId.HmacSha1, prfsha256: PrfId.HmacSha2_256, prfsha384: PrfId.HmacSha2_384, prfsha512: PrfId.HmacSha2_512,
};
/** The PRF strongSwan pairs with an integrity algorithm when an IKE proposal names none. */
const PRF_OF_INTEGRITY: Record<number, number> = {
  [IntegId.HmacMd5_96]: PrfId.HmacMd5, [IntegId.HmacSha1_96]: PrfId.HmacSha1, [IntegId.HmacSha2_256_128]: PrfId.HmacSha2_256,
  [IntegId.HmacSha2_384_192]: PrfId.HmacSha2_384, [IntegId.HmacSha2_512_256]: PrfId.HmacSha2_512,
};
const DH: Record<string, number> = {
  modp768: DhGroup.Modp768, modp1024: DhGroup.Modp1024, modp1536: DhGroup.Modp1536, modp2048: DhGroup.Modp2048,
  modp3072: DhGroup.Modp3072, modp4096: DhGroup.Modp4096, modp2048s256: DhGroup.Modp2048s256,
  ecp256: DhGroup.Ecp256, ecp384: DhGroup.Ecp384, ecp521: DhGroup.Ecp521, x25519: DhGroup.Curve25519, curve25519: DhGroup.Curve25519,
};
const ESN: Record<string, number> = { esn: EsnId.Esn, noesn: EsnId.None };

export function isAead(encryptionId: number): boolean {
  return encryptionId === EncrId.AesGcm8 || encryptionId === EncrId.AesGcm12 || encryptionId === EncrId.AesGcm16
    || encryptionId === EncrId.AesCcm8 || encryptionId === EncrId.AesCcm12 || encryptionId === EncrId.AesCcm16 || encryptionId === EncrId.ChaCha20Poly1305;
}

/** Every keyword `parseProposal` knows, for error messages and docs. */
export function proposalKeywords(): string[] {
  return [...Object.keys(ENCRYPTION), ...Object.keys(INTEGRITY), ...Object.keys(PRF), ...Object.keys(DH), ...Object.keys(ESN)];
}

/**
 * `aes256-sha256-modp2048` → a Proposal (number 1, no SPI) for IKE or ESP. Throws
 * InvalidArgumentError naming the bad keyword or the missing piece.
 */
export function parseProposal(text: string, protocol: ProposalProtocol): Proposal {
  // Planning a hub parses the same few strings tens of thousands of times: each is parsed once.
  const key = `${protocol} ${text}`;
  let parsed = PARSED.get(key);
  if (parsed === undefined) {
    parsed = parseProposalText(text, protocol);
    if (PARSED.size < 1024) PARSED.set(key, parsed);
  }
  return { ...parsed, transforms: [...parsed.transforms] };
}

const PARSED = new Map<string, Proposal>();

function parseProposalText(text: string, protocol: ProposalProtocol): Proposal {
  const encr: Transform[] = [];
  const integ: Transform[] = [];
  const prf: Transform[] = [];
  const dh: Transform[] = [];
  const esn: Transform[] = [];
  const add = (list: Transform[], t: Transform) => {
    if (!list.some((x) => x.transformId === t.transformId && x.keyLength === t.keyLength)) list.push(t);
  };
  for (const word of text.trim().toLowerCase().split('-')) {
    const e = ENCRYPTION[word];
    if (e !== undefined) add(encr, transform(e.type, e.id, e.keyLength));
    else if (INTEGRITY[word] !== undefined) add(integ, transform(TransformType.Integrity, INTEGRITY[word]));
    else if (PRF[word] !== undefined) add(prf, transform(TransformType.Prf, PRF[word]));
    else if (DH[word] !== undefined) add(dh, transform(TransformType.DhGroup, DH[word]));
    else if (ESN[word] !== undefined) add(esn, transform(TransformType.ExtendedSequenceNumbers, ESN[word]));
    else throw new InvalidArgumentError(`proposal '${text}': unknown algorithm '${word}' (known: ${proposalKeywords().join(', ')})`);
  }
  const where = `proposal '${text}'`;
  if (encr.length === 0) throw new InvalidArgumentError(`${where}: no encryption algorithm (e.g. aes256 or aes256gcm16)`);
  const aead = encr.filter((t) => isAead(t.transformId));
  if (aead.length > 0 && aead.length < encr.length) throw new InvalidArgumentError(`${where}: mixes AEAD (GCM) and non-AEAD encryption; write two proposals`);
  if (aead.length > 0 && integ.length > 0) throw new InvalidArgumentError(`${where}: an AEAD algorithm (GCM) has its own integrity check; drop ${integ.map((t) => transformName(t.transformType, t.transformId)).join(', ')}`);
  if (aead.length === 0 && integ.length === 0) throw new InvalidArgumentError(`${where}: no integrity algorithm (e.g. sha256)`);
  if (protocol === 'ike') {
    if (esn.length > 0) throw new InvalidArgumentError(`${where}: ESN applies to ESP, not IKE`);
    if (prf.length === 0) {
      if (aead.length > 0) throw new InvalidArgumentError(`${where}: an AEAD IKE proposal needs a PRF, e.g. ${text}-prfsha256`);
      for (const t of integ) add(prf, transform(TransformType.Prf, PRF_OF_INTEGRITY[t.transformId]!));
    }
    if (dh.length === 0) throw new InvalidArgumentError(`${where}: an IKE proposal needs a DH group (e.g. modp2048, ecp256, x25519)`);
  } else {
    if (prf.length > 0) throw new InvalidArgumentError(`${where}: a PRF applies to IKE, not ESP`);
    if (esn.length === 0) esn.push(transform(TransformType.ExtendedSequenceNumbers, EsnId.None));
  }
  return {
    number: 1,
    protocolId: protocol === 'ike' ? ProtocolId.IKE : ProtocolId.ESP,
    spi: new Uint8Array(0),
    transforms: [...encr, ...prf, ...integ, ...dh, ...esn],
  };
}

/** Proposals numbered 1, 2, 3… in order, as an SA payload offers them. */
export function parseProposals(texts: readonly string[], protocol: ProposalProtocol): Proposal[] {
  return texts.map((t, i) => ({ ...parseProposal(t, protocol), number: i + 1 }));
}

/** The transforms of one type; an absent DH, integrity or ESN type means "none" (id 0). */
function ofType(p: Proposal, type: number): Transform[] {
  const list = p.transforms.filter((t) => t.transformType === type);
  if (list.length === 0 && (type === TransformType.DhGroup || type === TransformType.Integrity || type === TransformType.ExtendedSequenceNumbers)) {
    return [transform(type, 0)];
  }
  return list;
}

const TYPES = [TransformType.Encryption, TransformType.Prf, TransformType.Integrity, TransformType.DhGroup, TransformType.ExtendedSequenceNumbers];

function sameTransform(a: Transform, b: Transform): boolean {
  return a.transformId === b.transformId && a.keyLength === b.keyLength && (a.attributes ?? []).length === 0 && (b.attributes ?? []).length === 0;
}

/**
 * One of `ours` met by one of `theirs`: the chosen proposal carries their number and SPI and one
 * transform per type (ours first in preference), leaving out "none" types as the peer did.
 * undefined when nothing matches (NO_PROPOSAL_CHOSEN). Transforms with unknown attributes never
 * match (RFC 7296 §3.3.6).
 */
export function selectProposal(ours: readonly Proposal[], theirs: readonly Proposal[]): Proposal | undefined {
  for (const mine of ours) {
    for (const offer of theirs) {
      if (offer.protocolId !== mine.protocolId) continue;
      const chosen: Transform[] = [];
      let ok = true;
      for (const type of TYPES) {
        const wanted = ofType(mine, type);
        const offered = ofType(offer, type);
        if (wanted.length === 0 && offered.length === 0) continue;
        const pick = wanted.find((w) => offered.some((o) => sameTransform(w, o)));
        if (pick === undefined) {
          ok = false;
          break;
        }
        // "none" stays implicit unless the peer wrote it out (ESN none is always written).
        if (pick.transformId !== 0 || offer.transforms.some((t) => t.transformType === type)) chosen.push(pick);
      }
      if (ok) return { number: offer.number, protocolId: offer.protocolId, spi: offer.spi, transforms: chosen };
    }
  }
  return undefined;
}

/** The single transform of a type in a chosen proposal (0 = none for DH / integrity / ESN). */
export function chosenTransform(p: Proposal, type: number): Transform | undefined {
  return ofType(p, type)[0];
}
