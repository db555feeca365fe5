import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DhGroup, EncrId, EsnId, IntegId, PrfId, TransformType } from '../../src/crypto/iana.js';
import { ProtocolId } from '../../src/ike/constants.js';
import { formatProposal } from '../../src/ike/payloads/sa.js';
import { chosenTransform, parseProposal, parseProposals, selectProposal } from '../../src/ike/proposal.js';

const ids = (text: string, protocol: 'ike' | 'esp') => parseProposal(text, protocol).transforms.map((t) => [t.transformType, t.transformId, t.keyLength]);

describe('proposals in strongSwan syntax', () => {
  it('IKE: encryption, PRF derived from integrity, integrity, DH', () => {
    assert.deepEqual(ids('aes256-sha256-modp2048', 'ike'), [
      [TransformType.Encryption, EncrId.AesCbc, 256], [TransformType.Prf, PrfId.HmacSha2_256, undefined],
      [TransformType.Integrity, IntegId.HmacSha2_256_128, undefined], [TransformType.DhGroup, DhGroup.Modp2048, undefined],
    ]);
    assert.equal(parseProposal('aes256-sha256-modp2048', 'ike').protocolId, ProtocolId.IKE);
  });

  it('IKE AEAD needs an explicit PRF and has no integrity transform', () => {
    assert.deepEqual(ids('aes256gcm16-prfsha256-x25519', 'ike'), [
      [TransformType.Encryption, EncrId.AesGcm16, 256], [TransformType.Prf, PrfId.HmacSha2_256, undefined], [TransformType.DhGroup, DhGroup.Curve25519, undefined],
    ]);
    assert.throws(() => parseProposal('aes256gcm16-x25519', 'ike'), /needs a PRF/);
    assert.throws(() => parseProposal('aes256gcm16-sha256-prfsha256-x25519', 'ike'), /own integrity/);
  });

  it('ESP: no PFS unless a group is named, ESN none by default', () => {
    assert.deepEqual(ids('aes256-sha1', 'esp'), [
      [TransformType.Encryption, EncrId.AesCbc, 256], [TransformType.Integrity, IntegId.HmacSha1_96, undefined],
      [TransformType.ExtendedSequenceNumbers, EsnId.None, undefined],
    ]);
    assert.deepEqual(ids('aes128-sha1-modp1024', 'esp').map((t) => t[1]), [EncrId.AesCbc, IntegId.HmacSha1_96, DhGroup.Modp1024, EsnId.None]);
    assert.equal(parseProposal('aes256gcm16', 'esp').protocolId, ProtocolId.ESP);
  });

  it('the platforms\' defaults parse: Azure, Alibaba dual-tunnel, RRAS-style', () => {
    // Azure RouteBased IKE offers (platform-behaviours.md S2) and phase-2 offers as initiator.
    parseProposals(['aes256-sha256-modp1024', 'aes256-sha1-modp1024', 'aes128-sha1-modp1024', '3des-sha1-modp1024'], 'ike');
    parseProposals(['aes256gcm16', 'aes256-sha1', '3des-sha1', 'aes256-sha256', 'aes128-sha1', '3des-sha256'], 'esp');
    // Alibaba dual tunnel: IKEv2 aes (128) / sha1 / group2, IPsec aes / sha1 / PFS group2.
    parseProposal('aes128-sha1-modp1024', 'ike');
    parseProposal('aes128-sha1-modp1024', 'esp');
  });

  it('refuses what cannot be: unknown words, no encryption, PRF in ESP, ESN in IKE, no DH in IKE', () => {
    assert.throws(() => parseProposal('aes256-sha265-modp2048', 'ike'), /unknown algorithm 'sha265'/);
    assert.throws(() => parseProposal('sha256-modp2048', 'ike'), /no encryption/);
    assert.throws(() => parseProposal('aes256-modp2048', 'ike'), /no integrity/);
    assert.throws(() => parseProposal('aes256-sha256-prfsha256', 'esp'), /PRF applies to IKE/);
    assert.throws(() => parseProposal('aes256-sha256-modp2048-esn', 'ike'), /ESN applies to ESP/);
    assert.throws(() => parseProposal('aes256-sha256', 'ike'), /needs a DH group/);
    assert.throws(() => parseProposal('aes256-aes256gcm16-sha256', 'esp'), /mixes AEAD/);
  });
});

describe('proposal selection (RFC 7296 §2.7)', () => {
  it('takes our first proposal the peer can meet, with their number and our transform order', () => {
    const ours = parseProposals(['aes256gcm16-prfsha256-ecp256', 'aes256-sha256-sha1-modp2048-modp1024'], 'ike');
    const theirs = parseProposals(['aes128-sha1-modp1024', 'aes256-sha1-sha256-modp1024-modp2048'], 'ike');
    const chosen = selectProposal(ours, theirs)!;
    assert.equal(chosen.number, 2);
    assert.equal(formatProposal(chosen), '#2 IKE: aes-cbc-256/prf-hmac-sha2-256/hmac-sha2-256-128/modp2048');
    assert.equal(chosenTransform(chosen, TransformType.DhGroup)!.transformId, DhGroup.Modp2048);
  });

  it('key lengths must match exactly; nothing in common is NO_PROPOSAL_CHOSEN', () => {
    assert.equal(selectProposal(parseProposals(['aes256-sha1-modp1024'], 'ike'), parseProposals(['aes128-sha1-modp1024'], 'ike')), undefined);
    assert.equal(selectProposal(parseProposals(['aes256-sha1'], 'esp'), parseProposals(['aes256-sha1-modp1024'], 'esp')), undefined,
      'PFS on one side only does not match');
  });

  it('ESP without PFS stays without a DH transform; ESN none is carried', () => {
    const chosen = selectProposal(parseProposals(['aes256-sha1'], 'esp'), parseProposals(['aes256gcm16', 'aes256-sha1'], 'esp'))!;
    assert.equal(formatProposal(chosen), '#2 ESP: aes-cbc-256/hmac-sha1-96/no-esn');
    assert.equal(chosenTransform(chosen, TransformType.DhGroup)!.transformId, DhGroup.None);
  });

  it('the choice holds one transform per type and is one the offer contains (property)', () => {
    const words = ['aes128', 'aes256', 'sha1', 'sha256', 'modp1024', 'modp2048', 'ecp256'];
    const arbProposal = fc.subarray(words, { minLength: 1 }).filter((w) => w.some((x) => x.startsWith('aes')) && w.some((x) => x.startsWith('sha')) && w.some((x) => /modp|ecp/.test(x)))
      .map((w) => w.join('-'));
    fc.assert(fc.property(fc.array(arbProposal, { minLength: 1, maxLength: 3 }), fc.array(arbProposal, { minLength: 1, maxLength: 3 }), (a, b) => {
      const ours = parseProposals(a, 'ike');
      const theirs = parseProposals(b, 'ike');
      const chosen = selectProposal(ours, theirs);
      if (chosen === undefined) return;
      const offer = theirs.find((p) => p.number === chosen.number)!;
      const types = chosen.transforms.map((t) => t.transformType);
      assert.equal(new Set(types).size, types.length);
      for (const t of chosen.transforms) assert.ok(offer.transforms.some((o) => o.transformType === t.transformType && o.transformId === t.transformId && o.keyLength === t.keyLength));
      // Symmetric existence: if we found one, the peer choosing from ours finds one too.
      assert.notEqual(selectProposal(theirs, ours), undefined);
    }), { numRuns: 500 });
  });
});
