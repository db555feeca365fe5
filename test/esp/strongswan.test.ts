import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CryptoSuite, type SuiteSpec } from '../../src/crypto/suite.js';
import { encapsulate, readEspHeader } from '../../src/esp/packet.js';
import { EspSa } from '../../src/esp/sa.js';
import { hex } from '../helpers/round-trip.js';

/*
 * ESP packets strongSwan 5.9.8 (kernel-libipsec) sent on the wire, captured with tcpdump, with the
 * CHILD_SA keys strongSwan derived: see test/ike/fixtures/strongswan-keymat.capture.sh. Each run
 * sent two UDP datagrams each way between 10.11.0.1 (behind the initiator, 192.168.251.1) and
 * 10.12.0.1 (behind the responder), and the ICMP port unreachable errors they provoked.
 */
interface Run {
  name: string;
  transforms: { esp: SuiteSpec };
  child: Record<string, string>;
  espFromWire: { from: string; spi: string; packet: string }[];
}
const RUNS = (JSON.parse(readFileSync('test/ike/fixtures/strongswan-keymat.json', 'utf8')) as { runs: Run[] }).runs;

const addr = (b: Uint8Array, at: number): string => Array.from(b.subarray(at, at + 4)).join('.');

describe('ESP from strongSwan, captured on the wire', () => {
  for (const run of RUNS) {
    it(`${run.name} (${run.transforms.esp.encr}/${run.transforms.esp.integ ?? 'aead'}): decapsulates, and re-encapsulates to the same bytes`, () => {
      const suite = CryptoSuite.esp(run.transforms.esp);
      const c = run.child;
      assert.ok(run.espFromWire.length >= 4);
      for (const sent of run.espFromWire) {
        const byInitiator = sent.from === '192.168.251.1';
        const keys = byInitiator ? { encKey: hex(c.encI!), integKey: c.integI === '' ? new Uint8Array(0) : hex(c.integI!) }
          : { encKey: hex(c.encR!), integKey: c.integR === '' ? new Uint8Array(0) : hex(c.integR!) };
        const spi = parseInt(sent.spi, 16);
        assert.equal(sent.spi, byInitiator ? c.spiOutboundOfInitiator : c.spiInboundOfInitiator);
        const packet = hex(sent.packet);
        const sa = new EspSa({ spi, direction: 'inbound', suite, keys });
        const r = sa.decapsulate(packet);
        assert.ok(r.ok, r.ok ? '' : r.error.code);
        const inner = r.payload;
        assert.equal(inner[0], 0x45, 'an IPv4 packet');
        assert.equal((inner[2]! << 8) | inner[3]!, inner.length, 'no TFC padding: IPv4 total length = payload');
        const [src, dst] = byInitiator ? ['10.11.0.1', '10.12.0.1'] : ['10.12.0.1', '10.11.0.1'];
        assert.deepEqual([addr(inner, 12), addr(inner, 16)], [src, dst]);
        if (inner[9] === 17) assert.match(Buffer.from(inner.subarray(28)).toString(), /^vpnlab esp known answer \d from /);
        else assert.equal(inner[9], 1, 'else an ICMP error');
        // Same SPI, sequence number and IV: our encapsulation must give strongSwan's bytes.
        const cipher = suite.esp(keys);
        const iv = packet.subarray(8, 8 + cipher.ivLength);
        assert.deepEqual(encapsulate(cipher, { spi, seq: readEspHeader(packet).seq, payload: inner, iv }), packet);
        assert.equal(sa.decapsulate(packet).ok, false, 'and a second copy is a replay');
      }
    });
  }
});
