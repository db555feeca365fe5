import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SeededRng } from '../../src/core/rng.js';
import { EncrId, IntegId } from '../../src/crypto/iana.js';
import { CryptoSuite } from '../../src/crypto/suite.js';
import { EspSa } from '../../src/esp/sa.js';
import { ikeOverUdp4500, NAT_T_PORT } from '../../src/esp/udp-encap.js';
import type { NegotiatedChildSa } from '../../src/ike/child-sa.js';
import type { IkeSa } from '../../src/ike/ike-sa.js';
import {
  ESP_SA_FILE, espSaLine, espSaLines, espSaTable, IKEV2_DECRYPTION_TABLE_FILE, ikev2DecryptionTable, ikev2DecryptionTableLine,
  KeyExportErrorCode, type ChildSaKeySource, type IkeSaKeySource,
} from '../../src/ike/key-export.js';
import { parseProposals } from '../../src/ike/proposal.js';
import { formatIpv4, parseIpv4, type Ipv4Address } from '../../src/net/address.js';
import { encodeIcmp } from '../../src/net/icmp.js';
import { encodeIpv4, IpProtocol } from '../../src/net/ipv4.js';
import { encodeUdp } from '../../src/net/udp.js';
import { PcapWriter } from '../../src/sim/pcap.js';
import type { Endpoint } from '../../src/transport/types.js';
import { A_ADDRESS, B_ADDRESS, child, established, IKE_AUTH, IKE_SA_INIT, twoPeers, type TwoPeers } from './two-peers.js';

/*
 * Key export for Wireshark (issue 4). The records are checked twice: as text, against the UAT
 * formats and algorithm names of Wireshark 4.0 (packet-isakmp.c, packet-ipsec.c); and by tshark
 * itself, which must decrypt a capture of a real tunnel — the IKE_AUTH exchange and ESP-protected
 * ICMP echoes — with the exported files and only with them.
 */

const dir = mkdtempSync(join(tmpdir(), 'vpnlab-key-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (length: number, first: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (first + i) & 0xff);
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// ---------------------------------------------------------------------------------------------
// The records as text

function fakeIkeSa(encr: { id: number; keyLength: number }, integ: { id: number; keyLength: number } | undefined, keyLengths: { e: number; a: number }): IkeSaKeySource {
  const crypto = {
    suite: { encryption: encr, integrity: integ } as unknown as CryptoSuite,
    keys: {
      skD: bytes(32, 0), skEi: bytes(keyLengths.e, 0x10), skEr: bytes(keyLengths.e, 0x20), skAi: bytes(keyLengths.a, 0x30),
      skAr: bytes(keyLengths.a, 0x40), skPi: bytes(32, 0), skPr: bytes(32, 0),
    },
  } as unknown as IkeSa['crypto'];
  return { name: 'to-b[1]', spiI: 0x0123456789abcdefn, spiR: 0x42n, crypto };
}

function fakeChild(suite: NegotiatedChildSa['suite'], keyLengths: { e: number; a: number }): ChildSaKeySource {
  return {
    ikeSaName: 'to-b[1]', childName: 'net', inboundSpi: 0xc1000001, outboundSpi: 0x0000beef, suite,
    inboundKeys: { encKey: bytes(keyLengths.e, 0x50), integKey: bytes(keyLengths.a, 0x60) },
    outboundKeys: { encKey: bytes(keyLengths.e, 0x70), integKey: bytes(keyLengths.a, 0x80) },
    local: { address: A_ADDRESS, port: 500 }, remote: { address: B_ADDRESS, port: 500 },
  };
}

describe('ikev2_decryption_table records', () => {
  it('AES-CBC-256 with HMAC-SHA2-256: SPIs and keys as bare hex, algorithms as Wireshark names them', () => {
    const sa = fakeIkeSa({ id: EncrId.AesCbc, keyLength: 32 }, { id: IntegId.HmacSha2_256_128, keyLength: 32 }, { e: 32, a: 32 });
    const k = sa.crypto!.keys;
    assert.equal(ikev2DecryptionTableLine(sa), [
      '0123456789abcdef', '0000000000000042', hexOf(k.skEi), hexOf(k.skEr), '"AES-CBC-256 [RFC3602]"',
      hexOf(k.skAi), hexOf(k.skAr), '"HMAC_SHA2_256_128 [RFC4868]"',
    ].join(','));
  });

  it('AES-GCM: SK_e* carry the 4-byte salt, SK_a* are empty, integrity NONE', () => {
    const sa = fakeIkeSa({ id: EncrId.AesGcm16, keyLength: 16 }, undefined, { e: 20, a: 0 });
    const fields = ikev2DecryptionTableLine(sa).split(',');
    assert.equal(fields[2]!.length, 40);
    assert.deepEqual(fields.slice(4), ['"AES-GCM-128 with 16 octet ICV [RFC5282]"', '', '', '"NONE [RFC4306]"']);
  });

  it('refuses what Wireshark cannot decrypt, a key of the wrong length, and an SA without keys', () => {
    const chacha = fakeIkeSa({ id: EncrId.ChaCha20Poly1305, keyLength: 32 }, undefined, { e: 36, a: 0 });
    assert.throws(() => ikev2DecryptionTableLine(chacha), { code: KeyExportErrorCode.Unsupported });
    const short = fakeIkeSa({ id: EncrId.AesGcm16, keyLength: 32 }, undefined, { e: 32, a: 0 });
    assert.throws(() => ikev2DecryptionTableLine(short), { code: KeyExportErrorCode.BadKeyLength });
    const connecting: IkeSaKeySource = { name: 'to-b[2]', spiI: 1n, spiR: 0n, crypto: undefined };
    assert.throws(() => ikev2DecryptionTableLine(connecting), { code: KeyExportErrorCode.NoKeys });
    const table = ikev2DecryptionTable([connecting, chacha]).split('\n');
    assert.match(table[0]!, /^# /);
    assert.match(table[1]!, /^# to-b\[2\]: not exported \(ERR_KEY_EXPORT_NO_KEYS\)/);
    assert.match(table[2]!, /^# to-b\[1\]: not exported \(ERR_KEY_EXPORT_UNSUPPORTED\)/);
  });
});

describe('esp_sa records', () => {
  it('one record per direction: outbound local → remote, inbound remote → local, keys "0x"-prefixed', () => {
    const c = fakeChild({ encr: EncrId.AesCbc, encrKeyBits: 128, integ: IntegId.HmacSha1_96, esn: false }, { e: 16, a: 20 });
    assert.deepEqual(espSaLines(c), [
      `"IPv4","198.51.100.1","203.0.113.1","0x0000beef","AES-CBC [RFC3602]","0x${hexOf(c.outboundKeys.encKey)}","HMAC-SHA-1-96 [RFC2404]","0x${hexOf(c.outboundKeys.integKey)}"`,
      `"IPv4","203.0.113.1","198.51.100.1","0xc1000001","AES-CBC [RFC3602]","0x${hexOf(c.inboundKeys.encKey)}","HMAC-SHA-1-96 [RFC2404]","0x${hexOf(c.inboundKeys.integKey)}"`,
    ]);
  });

  it('AES-GCM with a 16-octet ICV: key + salt, authentication NULL with an empty key', () => {
    const c = fakeChild({ encr: EncrId.AesGcm16, encrKeyBits: 256, esn: false }, { e: 36, a: 0 });
    const fields = espSaLine(c, 'outbound').split(',');
    assert.deepEqual([fields[4], fields[5]!.length, fields[6], fields[7]], ['"AES-GCM with 16 octet ICV [RFC4106]"', 2 + 2 + 72, '"NULL"', '"0x"']);
  });

  it('3DES and the other HMACs map to their Wireshark names', () => {
    const names = (integ: number, keyLength: number): string[] =>
      espSaLine(fakeChild({ encr: EncrId.Des3, integ, esn: false }, { e: 24, a: keyLength }), 'inbound').split(',').slice(4, 7).filter((_, i) => i !== 1);
    assert.deepEqual(names(IntegId.HmacMd5_96, 16), ['"TripleDES-CBC [RFC2451]"', '"HMAC-MD5-96 [RFC2403]"']);
    assert.deepEqual(names(IntegId.HmacSha2_384_192, 48), ['"TripleDES-CBC [RFC2451]"', '"HMAC-SHA-384-192 [RFC4868]"']);
    assert.deepEqual(names(IntegId.HmacSha2_512_256, 64), ['"TripleDES-CBC [RFC2451]"', '"HMAC-SHA-512-256 [RFC4868]"']);
  });

  it('refuses algorithms Wireshark cannot decrypt and keys of the wrong length; the table says so', () => {
    const chacha = fakeChild({ encr: EncrId.ChaCha20Poly1305, encrKeyBits: 256, esn: false }, { e: 36, a: 0 });
    assert.throws(() => espSaLine(chacha, 'outbound'), { code: KeyExportErrorCode.Unsupported });
    const xcbc = fakeChild({ encr: EncrId.AesCbc, encrKeyBits: 128, integ: IntegId.AesXcbc96, esn: false }, { e: 16, a: 16 });
    assert.throws(() => espSaLine(xcbc, 'outbound'), { code: KeyExportErrorCode.Unsupported });
    const saltless = fakeChild({ encr: EncrId.AesGcm16, encrKeyBits: 128, esn: false }, { e: 16, a: 0 });
    assert.throws(() => espSaLine(saltless, 'outbound'), { code: KeyExportErrorCode.BadKeyLength });
    const table = espSaTable([chacha]).split('\n');
    assert.match(table[1]!, /^# to-b\[1\]\/net: not exported \(ERR_KEY_EXPORT_UNSUPPORTED\)/);
  });

  it('warns above the records of an SA with extended sequence numbers', () => {
    const c = fakeChild({ encr: EncrId.AesGcm16, encrKeyBits: 128, esn: true }, { e: 20, a: 0 });
    const table = espSaTable([c]).trimEnd().split('\n');
    assert.equal(table.length, 4);
    assert.match(table[1]!, /^# to-b\[1\]\/net: extended sequence numbers/);
    assert.deepEqual(table.slice(2), espSaLines(c));
  });
});

// ---------------------------------------------------------------------------------------------
// tshark decrypts a real tunnel with the exported files

interface Scenario {
  readonly title: string;
  readonly ike: string;
  readonly esp: string;
  /** forceEncapsulation on A: IKE_AUTH on port 4500, ESP in UDP. */
  readonly udp: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { title: 'IKE AES-CBC-256/HMAC-SHA2-256, ESP AES-GCM-256 (16-octet ICV) in IP protocol 50', ike: 'aes256-sha256-modp2048', esp: 'aes256gcm16', udp: false },
  { title: 'IKE AES-CBC-128/HMAC-SHA1, ESP AES-CBC-256/HMAC-SHA2-256, NAT-T: UDP 4500', ike: 'aes128-sha1-modp2048', esp: 'aes256-sha256', udp: true },
  { title: 'IKE AES-GCM-256 (16-octet ICV), ESP 3DES/HMAC-SHA2-512', ike: 'aes256gcm16-prfsha384-modp2048', esp: '3des-sha512', udp: false },
  { title: 'IKE 3DES/HMAC-SHA2-384, ESP AES-CBC-192/HMAC-MD5 in UDP 4500', ike: '3des-sha384-modp2048', esp: 'aes192-md5', udp: true },
  { title: 'IKE AES-GCM-128 (12-octet ICV), ESP AES-GCM-128 (8-octet ICV)', ike: 'aes128gcm12-prfsha256-modp2048', esp: 'aes128gcm8', udp: false },
];

/** Inner hosts on each side's protected subnet. */
const HOST_A = parseIpv4('10.1.0.5');
const HOST_B = parseIpv4('10.2.0.7');
const ECHOES = 3;

function tunnel(s: Scenario): TwoPeers {
  const ikeProposals = parseProposals([s.ike], 'ike');
  const espProposals = parseProposals([s.esp], 'esp');
  const w = twoPeers({
    a: { ikeProposals, forceEncapsulation: s.udp, children: [child('net', '10.1.0.0/16', '10.2.0.0/16', { espProposals })] },
    b: { ikeProposals, children: [child('net', '10.2.0.0/16', '10.1.0.0/16', { espProposals })] },
  });
  w.a.engine.start();
  w.run(1000);
  assert.equal(established(w.a), 1, w.a.log.join('\n'));
  assert.equal(established(w.b), 1, w.b.log.join('\n'));
  assert.equal(w.a.up.length, 1);
  assert.equal(w.b.up.length, 1);
  assert.equal(w.a.up[0]!.udpEncapsulation, s.udp);
  return w;
}

/** Outer IPv4 packets, with real header and UDP checksums, in a LINKTYPE_RAW capture. */
class Capture {
  readonly writer = new PcapWriter();
  private timeMs = 0;
  private identification = 1;

  ip(src: Ipv4Address, dst: Ipv4Address, protocol: number, payload: Uint8Array): Uint8Array {
    return encodeIpv4({
      tos: 0, identification: this.identification++, dontFragment: false, moreFragments: false, fragmentOffset: 0,
      ttl: 64, protocol, src, dst, options: new Uint8Array(0), payload,
    });
  }

  record(packet: Uint8Array): void {
    this.writer.record(this.timeMs++, packet);
  }

  udp(from: Endpoint, to: Endpoint, payload: Uint8Array): void {
    const datagram = encodeUdp({ srcPort: from.port, dstPort: to.port, payload }, from.address, to.address);
    this.record(this.ip(from.address, to.address, IpProtocol.Udp, datagram));
  }
}

function echo(kind: 'echo-request' | 'echo-reply', src: Ipv4Address, dst: Ipv4Address, sequence: number, capture: Capture): Uint8Array {
  const icmp = encodeIcmp({ kind, code: 0, identifier: 0x4242, sequence, data: new TextEncoder().encode(`vpnlab key export ${sequence}`) });
  return capture.ip(src, dst, IpProtocol.Icmp, icmp);
}

/** Sends `inner` over one direction of a CHILD_SA, checking the peer's inbound SA accepts it. */
function protect(sender: NegotiatedChildSa, receiver: NegotiatedChildSa, rng: SeededRng): (inner: Uint8Array, capture: Capture) => void {
  const outbound = new EspSa({ spi: sender.outboundSpi, direction: 'outbound', suite: CryptoSuite.esp(sender.suite), keys: sender.outboundKeys, rng });
  const inbound = new EspSa({ spi: receiver.inboundSpi, direction: 'inbound', suite: CryptoSuite.esp(receiver.suite), keys: receiver.inboundKeys });
  return (inner: Uint8Array, capture: Capture): void => {
    const sealed = outbound.encapsulate(inner);
    assert.ok(sealed.ok, sealed.ok ? '' : sealed.error.message);
    const opened = inbound.decapsulate(sealed.packet);
    assert.ok(opened.ok && Buffer.from(opened.payload).equals(Buffer.from(inner)), 'the peer decrypts it too');
    if (sender.udpEncapsulation) {
      assert.equal(sender.local.port, NAT_T_PORT);
      capture.udp(sender.local, sender.remote, sealed.packet);
    } else {
      capture.record(capture.ip(sender.local.address, sender.remote.address, IpProtocol.Esp, sealed.packet));
    }
  };
}

/** The IKE datagrams as sent, then ECHOES pings through the tunnel. */
function captureTunnel(w: TwoPeers): Uint8Array {
  const capture = new Capture();
  for (const d of w.wire) {
    const natT = d.local.port === NAT_T_PORT || d.remote.port === NAT_T_PORT;
    capture.udp(d.local, d.remote, natT ? ikeOverUdp4500(d.payload) : d.payload);
  }
  const a = w.a.up[0]!;
  const b = w.b.up[0]!;
  const aToB = protect(a, b, new SeededRng(11));
  const bToA = protect(b, a, new SeededRng(12));
  for (let seq = 1; seq <= ECHOES; seq++) {
    aToB(echo('echo-request', HOST_A, HOST_B, seq, capture), capture);
    bToA(echo('echo-reply', HOST_B, HOST_A, seq, capture), capture);
  }
  return capture.writer.bytes();
}

/** A Wireshark personal configuration folder: ESP decryption switched on, and the key files if given. */
function configFolder(name: string, keys?: { ikev2: string; esp: string }): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'preferences'), 'esp.enable_encryption_decode: TRUE\nesp.enable_authentication_check: TRUE\n');
  if (keys !== undefined) {
    writeFileSync(join(folder, IKEV2_DECRYPTION_TABLE_FILE), keys.ikev2);
    writeFileSync(join(folder, ESP_SA_FILE), keys.esp);
  }
  return folder;
}

/** Rows of tab-separated fields, one per frame that passes `filter`; tshark must say nothing on stderr. */
function tshark(config: string, file: string, filter: string, fields: readonly string[]): string[][] {
  const args = ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const run = spawnSync('tshark', args, { encoding: 'utf8', env: { ...process.env, WIRESHARK_CONFIG_DIR: config } });
  assert.equal(run.status, 0, `tshark ${args.join(' ')}\n${run.stderr}`);
  const complaints = run.stderr.split('\n').filter((l) => l.trim() !== '' && !/^Running as user/.test(l));
  assert.deepEqual(complaints, [], 'tshark accepted the configuration');
  return run.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** The protocol stack tshark shows for each frame: IKE datagrams first, then the echoes. */
function expectedStacks(w: TwoPeers, udp: boolean, decrypted: boolean): string[] {
  const ike = w.wire.map((d) => (d.local.port === NAT_T_PORT ? 'raw:ip:udp:udpencap:isakmp' : 'raw:ip:udp:isakmp'));
  const esp = `${udp ? 'raw:ip:udp:udpencap:esp' : 'raw:ip:esp'}${decrypted ? ':ip:icmp:data' : ''}`;
  return [...ike, ...Array<string>(2 * ECHOES).fill(esp)];
}

describe('tshark decrypts a vpnlab tunnel with the exported keys', () => {
  SCENARIOS.forEach((s, index) => {
    it(s.title, () => {
      const w = tunnel(s);
      const file = join(dir, `tunnel-${index}.pcap`);
      writeFileSync(file, captureTunnel(w));
      const keys = { ikev2: ikev2DecryptionTable(w.a.engine.ikeSasOf('to-b')), esp: espSaTable(w.a.up) };
      assert.doesNotMatch(keys.ikev2 + keys.esp, /not exported/);
      const withKeys = configFolder(`keys-${index}`, keys);
      const withoutKeys = configFolder(`no-keys-${index}`);

      // A wrong SK_a* or ESP key shows up here too: Wireshark checks the ICD/ICV and warns.
      assert.deepEqual(tshark(withKeys, file, '_ws.malformed || _ws.expert.severity >= warning || ip.checksum.status == "Bad" || udp.checksum.status == "Bad"',
        ['frame.number', '_ws.expert.message']), [], 'no malformed packet, bad checksum or warning');
      if (s.udp) assert.ok(w.wire.some((d) => d.exchange === IKE_AUTH && d.local.port === NAT_T_PORT), 'IKE_AUTH went over port 4500');
      assert.deepEqual(tshark(withKeys, file, 'frame', ['frame.protocols']).flat(), expectedStacks(w, s.udp, true));
      assert.deepEqual(tshark(withoutKeys, file, 'frame', ['frame.protocols']).flat(), expectedStacks(w, s.udp, false), 'without the keys ESP is opaque');

      // Every SK payload decrypts; in IKE_AUTH, request then response, the ID payloads carry the
      // outer addresses, AUTH is a shared key (2) and the TSs are the two subnets.
      const decrypted = tshark(withKeys, file, 'isakmp.enc.decrypted',
        ['isakmp.exchangetype', 'isakmp.flag_r', 'isakmp.id.data.ipv4_addr', 'isakmp.auth.method', 'isakmp.ts.start_ipv4']);
      assert.equal(decrypted.length, w.wire.filter((d) => d.exchange !== IKE_SA_INIT).length);
      const auth = decrypted.filter((row) => row[0] === `${IKE_AUTH}`);
      assert.deepEqual(auth.map((row) => row[1]), ['0', '1'], JSON.stringify(decrypted));
      for (const [row, sender] of [[auth[0]!, A_ADDRESS], [auth[1]!, B_ADDRESS]] as const) {
        assert.ok(row[2]!.split(',').includes(formatIpv4(sender)), `ID payload of ${formatIpv4(sender)} in ${JSON.stringify(row)}`);
        assert.equal(row[3], '2');
        assert.deepEqual(new Set(row[4]!.split(',')), new Set(['10.1.0.0', '10.2.0.0']));
      }
      assert.deepEqual(tshark(withoutKeys, file, 'isakmp.enc.decrypted || isakmp.id.data || isakmp.auth.method || isakmp.ts.start_ipv4', ['frame.number']), [],
        'without the keys the SK payloads stay opaque');

      // ESP: every packet decrypts to the echo it carries, and its ICV (HMAC or GCM tag) verifies.
      const a = w.a.up[0]!;
      const esp = tshark(withKeys, file, 'esp', ['esp.spi', 'ip.src', 'ip.dst', 'icmp.type', 'icmp.seq', 'esp.icv_good']);
      const expected = Array.from({ length: ECHOES }, (_, i) => [
        [a.outboundSpi, `${formatIpv4(A_ADDRESS)},${formatIpv4(HOST_A)}`, `${formatIpv4(B_ADDRESS)},${formatIpv4(HOST_B)}`, '8', `${i + 1}`, '1'],
        [a.inboundSpi, `${formatIpv4(B_ADDRESS)},${formatIpv4(HOST_B)}`, `${formatIpv4(A_ADDRESS)},${formatIpv4(HOST_A)}`, '0', `${i + 1}`, '1'],
      ]).flat();
      assert.deepEqual(esp.map(([spi, ...rest]) => [Number(spi), ...rest]), expected);
    });
  });
});
