import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, type ConfigIssue } from '../../src/config/issues.js';
import { TransformType } from '../../src/crypto/iana.js';
import { parseIkeDaemonConfig, toIkeDaemonSettings } from '../../src/ike/config/daemon-schema.js';
import { DEFAULT_RETRANSMIT } from '../../src/ike/config.js';
import { ProtocolId } from '../../src/ike/constants.js';
import { fqdnIdentity, ipv4Identity } from '../../src/ike/payloads/id.js';
import { selectorFromPrefix } from '../../src/ike/payloads/ts.js';
import { parseProposal, parseProposals } from '../../src/ike/proposal.js';
import { parseIpv4, parsePrefix } from '../../src/net/address.js';

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseIkeDaemonConfig(text, 'ike.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail('expected the config to be refused');
}

// Line numbers below count from the first line of BASE.
const BASE = `address: 192.168.251.2
lan:
  gateway: 10.12.0.1/24
  hosts: [{ name: vm1, address: 10.12.0.10 }]
connections:
  - name: swan
    remote: 192.168.251.1
    psk: "a long shared secret"
    proposals: [aes256-sha256-modp2048]
    children:
      - name: net
        localTs: [10.12.0.0/24]
        remoteTs: [10.11.0.0/24]
        espProposals: [aes256gcm16]
`;

/** BASE with one more connection appended (its lines start at line 15). */
function withSecond(connection: string): string {
  return `${BASE}${connection}`;
}

describe('ike run config file', () => {
  it('turns a minimal file into engine settings, with every default', () => {
    const settings = toIkeDaemonSettings(parseIkeDaemonConfig(BASE).data);
    assert.equal(settings.address, parseIpv4('192.168.251.2'));
    assert.deepEqual(settings.api, { socket: undefined, group: undefined, tcp: undefined }, 'the default unix socket, no TCP');
    assert.deepEqual(settings.lan, {
      gateway: { address: parseIpv4('10.12.0.1'), prefix: parsePrefix('10.12.0.0/24') },
      hosts: [{ name: 'vm1', address: parseIpv4('10.12.0.10'), os: 'linux' }],
    });
    const [peer] = settings.peers;
    assert.equal(peer!.name, 'swan');
    assert.equal(peer!.localAddress, parseIpv4('192.168.251.2'));
    assert.equal(peer!.remoteAddress, parseIpv4('192.168.251.1'));
    assert.deepEqual(peer!.localIdentity, ipv4Identity(parseIpv4('192.168.251.2')), 'our identity defaults to our address');
    assert.deepEqual(peer!.remoteIdentity, ipv4Identity(parseIpv4('192.168.251.1')), 'the peer\'s defaults to its address');
    assert.deepEqual(peer!.psk, new TextEncoder().encode('a long shared secret'));
    assert.deepEqual(peer!.ikeProposals, parseProposals(['aes256-sha256-modp2048'], 'ike'));
    assert.equal(peer!.ikeRekeySeconds, 14_400);
    assert.equal(peer!.dpdDelaySeconds, 30);
    assert.equal(peer!.dpdAction, 'clear');
    assert.equal(peer!.forceEncapsulation, true);
    assert.equal(peer!.responderOnly, false);
    assert.equal(peer!.retransmit, undefined, 'the engine\'s DEFAULT_RETRANSMIT applies');
    const [child] = peer!.children;
    assert.equal(child!.name, 'net');
    assert.deepEqual(child!.localSelectors, [selectorFromPrefix(parsePrefix('10.12.0.0/24'))]);
    assert.deepEqual(child!.remoteSelectors, [selectorFromPrefix(parsePrefix('10.11.0.0/24'))]);
    assert.deepEqual(child!.espProposals, parseProposals(['aes256gcm16'], 'esp'));
    assert.deepEqual(child!.lifetimes, { rekeySeconds: 3600, lifeSeconds: 3960 }, 'life = rekey + 10%');
    assert.equal(child!.startAction, 'start');
    assert.equal(child!.replayWindow, undefined);
    assert.deepEqual(settings.tunnels, [{ connection: 'swan', child: 'net', kind: 'route', routes: [parsePrefix('10.11.0.0/24')] }]);
  });

  it('takes every optional field as written', () => {
    const text = `address: 192.168.251.2
api: { socket: /run/vpnlab/test-ike.sock, group: 4242, tcp: { address: 127.0.0.2, port: 18180 } }
lan:
  gateway: 10.12.0.1/24
  hosts: [{ name: dc1, address: 10.12.0.20, os: windows }]
connections:
  - name: swan
    remote: 192.168.251.1
    localId: "@gw.example.net"
    remoteId: peer.example.net
    psk: k
    proposals: [aes128-sha1-modp1024, aes256gcm16-prfsha384-ecp384]
    rekeyTime: 28800
    dpdDelay: 0
    dpdAction: restart
    encap: true
    mode: respond
    retransmit: { timeout: 0.5, tries: 3 }
    children:
      - name: net
        localTs: [10.12.0.0/24, 10.13.0.0/24]
        remoteTs: [10.11.0.0/24]
        espProposals: [aes128-sha1-modp1024]
        rekeyTime: 27000
        lifeTime: 30000
        rekeyBytes: 1000000
        replayWindow: 1024
        start: trap
        tunnel: policy
`;
    const settings = toIkeDaemonSettings(parseIkeDaemonConfig(text).data);
    assert.deepEqual(settings.api, { socket: '/run/vpnlab/test-ike.sock', group: 4242, tcp: { address: '127.0.0.2', port: 18180 } });
    assert.equal(settings.lan.hosts[0]!.os, 'windows');
    const peer = settings.peers[0]!;
    assert.deepEqual(peer.localIdentity, fqdnIdentity('gw.example.net'));
    assert.deepEqual(peer.remoteIdentity, fqdnIdentity('peer.example.net'));
    assert.deepEqual(peer.ikeProposals.map((p) => p.number), [1, 2], 'numbered in preference order');
    assert.equal(peer.ikeRekeySeconds, 28_800);
    assert.equal(peer.dpdDelaySeconds, 0);
    assert.equal(peer.dpdAction, 'restart');
    assert.equal(peer.forceEncapsulation, true);
    assert.equal(peer.responderOnly, true);
    assert.deepEqual(peer.retransmit, { timeoutMs: 500, base: DEFAULT_RETRANSMIT.base, tries: 3 }, 'seconds become ms; base keeps its default');
    const child = peer.children[0]!;
    assert.deepEqual(child.lifetimes, { rekeySeconds: 27_000, lifeSeconds: 30_000, rekeyBytes: 1_000_000 });
    assert.equal(child.replayWindow, 1024);
    assert.equal(child.startAction, 'trap');
    assert.equal(child.localSelectors.length, 2);
    const dh = child.espProposals[0]!.transforms.filter((t) => t.transformType === TransformType.DhGroup);
    assert.equal(dh.length, 1, 'a DH group in an ESP proposal: PFS');
    assert.equal(child.espProposals[0]!.protocolId, ProtocolId.ESP);
    assert.deepEqual(settings.tunnels, [{ connection: 'swan', child: 'net', kind: 'policy', routes: [parsePrefix('10.11.0.0/24')] }]);
    assert.equal(toIkeDaemonSettings(parseIkeDaemonConfig(`${BASE}api: false\n`).data).api, undefined);
  });

  it('%any answers whoever comes, with whatever identity, and never initiates', () => {
    const text = BASE.replace('remote: 192.168.251.1', 'remote: "%any"').replace('    psk:', '    mode: respond\n    psk:');
    const peer = toIkeDaemonSettings(parseIkeDaemonConfig(text).data).peers[0]!;
    assert.equal(peer.remoteAddress, undefined);
    assert.equal(peer.remoteIdentity, undefined);
    assert.equal(peer.responderOnly, true);
    const pinned = toIkeDaemonSettings(parseIkeDaemonConfig(text.replace('    mode: respond', '    mode: respond\n    remoteId: 192.168.251.1')).data).peers[0]!;
    assert.deepEqual(pinned.remoteIdentity, ipv4Identity(parseIpv4('192.168.251.1')), 'remoteId still pins the identity');
    const any = toIkeDaemonSettings(parseIkeDaemonConfig(BASE.replace('    psk:', '    remoteId: "%any"\n    psk:')).data).peers[0]!;
    assert.equal(any.remoteIdentity, undefined, 'remoteId: %any accepts any identity from a fixed address');
  });

  it('names an unknown proposal keyword, with the field\'s line', () => {
    const [issue] = issuesOf(BASE.replace('aes256-sha256-modp2048', 'aes256-sha256-modp2049'));
    assert.equal(issue!.code, 'IKECONF_INVALID_VALUE');
    assert.equal(issue!.path, 'connections[0].proposals[0]');
    assert.equal(issue!.line, 9);
    assert.match(issue!.message, /unknown algorithm 'modp2049'/);
    const [esp] = issuesOf(BASE.replace('espProposals: [aes256gcm16]', 'espProposals: [aes256gcm16-prfsha256]'));
    assert.equal(esp!.path, 'connections[0].children[0].espProposals[0]');
    assert.match(esp!.message, /a PRF applies to IKE, not ESP/);
  });

  it('refuses DH groups the proposal syntax knows but the crypto layer does not implement', () => {
    const issues = issuesOf(BASE.replace('[aes256-sha256-modp2048]', '[aes256-sha256-modp2048, aes256-sha256-modp3072]')
      .replace('espProposals: [aes256gcm16]', 'espProposals: [aes256gcm16-ecp521]'));
    assert.deepEqual(issues.map((i) => [i.code, i.path]), [
      ['IKECONF_UNSUPPORTED', 'connections[0].proposals[1]'],
      ['IKECONF_UNSUPPORTED', 'connections[0].children[0].espProposals[0]'],
    ]);
    assert.match(issues[0]!.message, /DH group modp3072 is not implemented/);
    assert.match(issues[0]!.hint!, /modp2048/);
  });

  it('refuses encap: false — ESP could never leave the process — and says what to do', () => {
    const [issue] = issuesOf(BASE.replace('    psk:', '    encap: false\n    psk:'));
    assert.equal(issue!.code, 'IKECONF_UNSUPPORTED');
    assert.equal(issue!.path, 'connections[0].encap');
    assert.match(issue!.message, /no raw sockets/);
    assert.match(issue!.hint!, /encap = yes on a strongSwan peer/);
  });

  it('names an unknown field with the nearest allowed one', () => {
    const [issue] = issuesOf(BASE.replace('    psk:', '    rekeytime: 3600\n    psk:'));
    assert.equal(issue!.code, 'IKECONF_UNKNOWN_FIELD');
    assert.equal(issue!.path, 'connections[0].rekeytime');
    assert.equal(issue!.line, 8);
    assert.equal(issue!.column, 5);
    assert.match(issue!.hint!, /did you mean 'rekeyTime'\?/);
    const [child] = issuesOf(BASE.replace('        localTs:', '        local_ts: [10.12.0.0/24]\n        localTs:'));
    assert.equal(child!.path, 'connections[0].children[0].local_ts');
    assert.match(child!.hint!, /did you mean 'localTs'\?/);
  });

  it('refuses a second connection of the same name, and a second one to the same peer', () => {
    const [name] = issuesOf(withSecond(`  - { name: swan, remote: 192.168.251.5, psk: k, proposals: [aes256-sha256-modp2048], children: [{ name: net2, localTs: [10.12.0.0/24], remoteTs: [10.5.0.0/24], espProposals: [aes256gcm16] }] }\n`));
    assert.equal(name!.code, 'IKECONF_DUPLICATE_NAME');
    assert.equal(name!.path, 'connections[1].name');
    assert.equal(name!.line, 15);
    const [remote] = issuesOf(withSecond(`  - { name: other, remote: 192.168.251.1, psk: k, proposals: [aes256-sha256-modp2048], children: [{ name: net2, localTs: [10.12.0.0/24], remoteTs: [10.5.0.0/24], espProposals: [aes256gcm16] }] }\n`));
    assert.equal(remote!.code, 'IKECONF_DUPLICATE_ADDRESS');
    assert.equal(remote!.path, 'connections[1].remote');
    assert.match(remote!.message, /connections\[0\]: one connection per peer/);
  });

  it('a connection to %any must be mode: respond', () => {
    const [issue] = issuesOf(BASE.replace('remote: 192.168.251.1', 'remote: "%any"'));
    assert.equal(issue!.code, 'IKECONF_CONFLICT');
    assert.equal(issue!.path, 'connections[0].mode');
    assert.match(issue!.message, /set mode: respond/);
  });

  it('a child\'s lifeTime must be longer than its rekeyTime, given or default', () => {
    const [both] = issuesOf(BASE.replace('espProposals: [aes256gcm16]', 'espProposals: [aes256gcm16]\n        rekeyTime: 3600\n        lifeTime: 3600'));
    assert.equal(both!.code, 'IKECONF_CONFLICT');
    assert.equal(both!.path, 'connections[0].children[0].lifeTime');
    assert.equal(both!.line, 16);
    const [implicit] = issuesOf(BASE.replace('espProposals: [aes256gcm16]', 'espProposals: [aes256gcm16]\n        lifeTime: 3000'));
    assert.equal(implicit!.code, 'IKECONF_CONFLICT', 'the default rekeyTime (3600) counts too');
    assert.match(implicit!.message, /rekeyTime 3600 \(the default\)/);
    parseIkeDaemonConfig(BASE.replace('espProposals: [aes256gcm16]', 'espProposals: [aes256gcm16]\n        rekeyTime: 0\n        lifeTime: 600'));
    parseIkeDaemonConfig(BASE.replace('espProposals: [aes256gcm16]', 'espProposals: [aes256gcm16]\n        lifeTime: 0'));
  });

  it('child names are unique across every connection (the data plane knows a CHILD_SA by name)', () => {
    const [inOne] = issuesOf(BASE.replace('        espProposals: [aes256gcm16]\n', '        espProposals: [aes256gcm16]\n      - { name: net, localTs: [10.12.1.0/24], remoteTs: [10.11.1.0/24], espProposals: [aes256gcm16] }\n'));
    assert.equal(inOne!.code, 'IKECONF_DUPLICATE_NAME');
    assert.equal(inOne!.path, 'connections[0].children[1].name');
    assert.match(inOne!.message, /twice in swan/);
    const [across] = issuesOf(withSecond(`  - name: other
    remote: 192.168.251.5
    psk: k
    proposals: [aes256-sha256-modp2048]
    children:
      - { name: net, localTs: [10.12.0.0/24], remoteTs: [10.5.0.0/24], espProposals: [aes256gcm16] }
`));
    assert.equal(across!.code, 'IKECONF_DUPLICATE_NAME');
    assert.equal(across!.path, 'connections[1].children[0].name', 'the second one is flagged');
    assert.equal(across!.line, 20);
    assert.match(across!.message, /connections\[0\]\.children\[0\] \(swan\)/);
  });

  it('LAN hosts: inside the LAN, one address and one name each, none called gateway (refused by check, not at run)', () => {
    const hosts = ['{ name: vm1, address: 10.99.0.10 }', '{ name: vm2, address: 10.12.0.1 }', '{ name: vm3, address: 10.12.0.255 }',
      '{ name: vm1, address: 10.12.0.20 }', '{ name: vm5, address: 10.12.0.20 }', '{ name: gateway, address: 10.12.0.30 }'];
    const issues = issuesOf(BASE.replace('  hosts: [{ name: vm1, address: 10.12.0.10 }]', `  hosts:\n${hosts.map((h) => `    - ${h}\n`).join('')}`.trimEnd()));
    assert.deepEqual(issues.map((i) => [i.code, i.path, i.line]), [
      ['IKECONF_ADDRESS_OUTSIDE_LAN', 'lan.hosts[0].address', 5],
      ['IKECONF_DUPLICATE_ADDRESS', 'lan.hosts[1].address', 6],
      ['IKECONF_ADDRESS_OUTSIDE_LAN', 'lan.hosts[2].address', 7],
      ['IKECONF_DUPLICATE_NAME', 'lan.hosts[3].name', 8],
      ['IKECONF_DUPLICATE_ADDRESS', 'lan.hosts[4].address', 9],
      ['IKECONF_DUPLICATE_NAME', 'lan.hosts[5].name', 10],
    ]);
    assert.match(issues[1]!.message, /already the gateway/);
    assert.match(issues[2]!.message, /broadcast address of 10\.12\.0\.0\/24/);
    assert.match(issues[4]!.message, /already lan\.hosts\[3\] \(vm1\)/);
  });

  it('every example in examples/ike parses and converts', () => {
    const files = readdirSync('examples/ike').filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 2, `examples: ${files.join(', ')}`);
    for (const f of files) {
      const { data, warnings } = parseIkeDaemonConfig(readFileSync(join('examples/ike', f), 'utf8'), f);
      assert.deepEqual(warnings, [], f);
      const settings = toIkeDaemonSettings(data);
      assert.ok(settings.peers.length > 0, f);
      for (const p of settings.peers) assert.equal(p.forceEncapsulation, true, `${f}: ESP in UDP, or no traffic leaves (see docs/ike-daemon.md)`);
    }
  });

  it('the examples carry the cloud defaults they claim', () => {
    const azure = toIkeDaemonSettings(parseIkeDaemonConfig(readFileSync('examples/ike/azure-like.yaml', 'utf8')).data);
    const a = azure.peers[0]!;
    assert.deepEqual(a.ikeProposals, [parseProposal('aes256-sha1-modp1024', 'ike')]);
    assert.equal(a.ikeRekeySeconds, 28_800);
    assert.deepEqual(a.children[0]!.espProposals, [parseProposal('aes256-sha1', 'esp')]);
    assert.equal(a.children[0]!.lifetimes.rekeySeconds, 27_000);
    assert.equal(azure.tunnels[0]!.kind, 'route');
    const alibaba = toIkeDaemonSettings(parseIkeDaemonConfig(readFileSync('examples/ike/alibaba-like.yaml', 'utf8')).data);
    const b = alibaba.peers[0]!;
    assert.deepEqual(b.ikeProposals, [parseProposal('aes128-sha1-modp1024', 'ike')]);
    assert.equal(b.ikeRekeySeconds, 86_400);
    assert.deepEqual(b.children[0]!.espProposals, [parseProposal('aes128-sha1-modp1024', 'esp')]);
    assert.equal(b.children[0]!.lifetimes.rekeySeconds, 86_400);
    assert.equal(alibaba.tunnels[0]!.kind, 'policy');
  });
});
