import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SeededRng } from '../../src/core/rng.js';
import { ExchangeType } from '../../src/ike/constants.js';
import { spiToBytes } from '../../src/ike/header.js';
import type { Payload } from '../../src/ike/payload-chain.js';
import { plainPayloads } from './helpers.js';
import { established, twoPeers, type TwoPeers } from './two-peers.js';

/*
 * Hostile input against a live IKE SA (issue 4's property): 100,000 datagrams — random bytes
 * behind the SA's real SPIs, mutations of the real exchange's datagrams, and authenticated
 * requests (sealed with the peer's real keys, so they get past the ICV) carrying random
 * payloads. Nothing may throw out of the engine; afterwards the SA must still be the same SA on
 * both sides, its CHILD_SA still the two halves of one, and a rekey and a liveness check must
 * still work. IKE_ENGINE_FUZZ_RUNS overrides the count.
 */

const RUNS = Number(process.env.IKE_ENGINE_FUZZ_RUNS ?? 100_000);

function bringUp(): TwoPeers {
  const w = twoPeers({ a: { forceEncapsulation: true } });
  w.a.engine.start();
  w.run(1000);
  assert.equal(established(w.a), 1);
  return w;
}

function header(w: TwoPeers): Uint8Array {
  const sa = w.a.engine.ikeSasOf('to-b')[0]!;
  const h = new Uint8Array(28);
  h.set(spiToBytes(sa.spiI), 0);
  h.set(spiToBytes(sa.spiR), 8);
  return h;
}

function mutate(rng: SeededRng, original: Uint8Array): Uint8Array {
  const b = Uint8Array.from(original);
  switch (rng.int(4)) {
    case 0: {
      const n = 1 + rng.int(4);
      for (let i = 0; i < n; i++) b[rng.int(b.length)]! ^= 1 << rng.int(8);
      return b;
    }
    case 1: return b.subarray(0, rng.int(b.length));
    case 2: {
      // Header fields the engine routes on: exchange type, flags, message ID, length.
      const at = [18, 19, 20, 23, 24, 27][rng.int(6)]!;
      b[at] = rng.int(256);
      return b;
    }
    default: {
      const extra = rng.bytes(1 + rng.int(16));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b);
      out.set(extra, b.length);
      return out;
    }
  }
}

describe('a live IKE SA under hostile input', () => {
  it(`survives ${RUNS.toLocaleString('en')} random, mutated and authenticated-garbage datagrams`, () => {
    const w = bringUp();
    const rng = new SeededRng(4303);
    const saA = w.a.engine.ikeSasOf('to-b')[0]!;
    const childA = [...w.a.installed.values()][0]!;
    const recorded = w.wire.map((d) => d.payload);
    const h = header(w);
    // Payload lists sealed with A's keys: everything but Delete, which would (legitimately) end the SA.
    const kinds = Object.entries(plainPayloads).filter(([k]) => k !== 'delete').map(([, v]) => v);
    const garbage = fc.sample(fc.array(fc.oneof(...kinds), { maxLength: 5 }), { numRuns: 2000, seed: 7296 }) as Payload[][];
    const toB = { local: { address: w.b.engine.ikeSasOf('to-a')[0]!.local.address, port: 4500 }, remote: { address: saA.local.address, port: 4500 } };
    let authenticated = 0;
    for (let i = 0; i < RUNS; i++) {
      const kind = i % 10;
      let payload: Uint8Array;
      if (kind < 4) {
        payload = new Uint8Array(28 + rng.int(200));
        payload.set(rng.bytes(payload.length));
        payload.set(h.subarray(0, 16));
        payload[17] = 0x20;
      } else if (kind < 8) {
        payload = mutate(rng, recorded[rng.int(recorded.length)]!);
      } else {
        // A request from A with the next message ID, sealed with A's keys.
        const exchange = [ExchangeType.INFORMATIONAL, ExchangeType.CREATE_CHILD_SA, ExchangeType.IKE_AUTH][rng.int(3)]!;
        const id = saA.messageIds.nextRequest++;
        payload = saA.encode(exchange, id, false, garbage[rng.int(garbage.length)]!);
        authenticated++;
      }
      w.b.engine.receive({ ...toB, payload });
      if (i % 1000 === 999) w.run(100);
    }
    // Mutated IKE_SA_INIT requests legitimately open half-open SAs (and, past the threshold,
    // cookie challenges); they must all be gone once the half-open timeout passes.
    assert.ok(w.b.engine.view().filter((s) => s.state === 'connecting').length <= w.b.engine.config.cookieThreshold + 1);
    w.run(w.b.engine.config.halfOpenTimeoutMs + 1000);
    assert.ok(authenticated >= RUNS / 5);
    // Still one IKE SA, the same on both sides.
    const [va] = w.a.engine.view();
    const bSas = w.b.engine.view();
    assert.equal(bSas.length, 1, JSON.stringify(bSas.map((s) => [s.name, s.state])));
    assert.equal(bSas[0]!.state, 'established');
    assert.equal(bSas[0]!.spiI, va!.spiI);
    // A's CHILD_SA still has its other half on B, with the same keys.
    const childB = w.b.installed.get(childA.outboundSpi);
    assert.ok(childB !== undefined, 'the CHILD_SA survived');
    assert.deepEqual(childB.inboundKeys, childA.outboundKeys);
    // And the SA still works: a rekey and a liveness check.
    w.a.engine.rekeyChild('to-b', 'net');
    w.run(2000);
    const rekeyed = [...w.a.installed.values()];
    assert.equal(rekeyed.length, 1);
    assert.ok(w.b.installed.has(rekeyed[0]!.outboundSpi), w.a.log.slice(-10).join('\n'));
  });
});
