/**
 * The `api` key of both daemon files (issue 11, defect 5): the old TCP keys are an error that says
 * what to write now; TCP must stay on loopback; socket paths are absolute and fit sun_path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBgpDaemonConfig, toDaemonSettings } from '../../src/bgp/config/daemon-schema.js';
import { ConfigError } from '../../src/config/issues.js';
import { parseIkeDaemonConfig, toIkeDaemonSettings } from '../../src/ike/config/daemon-schema.js';

const BGP = `localAsn: 65001
routerId: 10.0.0.1
neighbors: [{ address: 10.0.0.2, asn: 65002 }]
`;

const IKE = `address: 192.168.251.2
lan: { gateway: 10.12.0.1/24 }
connections:
  - name: swan
    remote: 192.168.251.1
    psk: a long pre-shared key
    proposals: [aes256-sha256-modp2048]
    children: [{ name: net, localTs: [10.12.0.0/24], remoteTs: [10.11.0.0/24], espProposals: [aes256gcm16] }]
`;

function issuesOf(parse: () => unknown): { code: string; path: string; hint?: string }[] {
  try {
    parse();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.issues.map((i) => ({ code: i.code, path: i.path, ...(i.hint !== undefined ? { hint: i.hint } : {}) }));
  }
  assert.fail('the file was accepted');
}

describe('api: in the daemon files', () => {
  it('an old `api: { address, port }` is an error saying what to write now', () => {
    const bgp = issuesOf(() => parseBgpDaemonConfig(`${BGP}api: { address: 0.0.0.0, port: 8179 }\n`));
    assert.deepEqual(bgp.map((i) => [i.code, i.path]), [['BGPCONF_API_MOVED', 'api.address']], 'one error for the pair');
    assert.match(bgp[0]!.hint!, /tcp: \{ address: 127\.0\.0\.1, port: 8179 \}/);
    const ike = issuesOf(() => parseIkeDaemonConfig(`${IKE}api: { port: 18180 }\n`));
    assert.deepEqual(ike.map((i) => [i.code, i.path]), [['IKECONF_API_MOVED', 'api.port']]);
    assert.match(ike[0]!.hint!, /tcp: \{ address: 127\.0\.0\.1, port: 18180 \}/);
  });

  it('TCP off loopback is refused (check fails), with the SSH way instead', () => {
    for (const address of ['0.0.0.0', '192.168.37.1', '10.0.0.1']) {
      const issues = issuesOf(() => parseBgpDaemonConfig(`${BGP}api: { tcp: { address: ${address} } }\n`));
      assert.deepEqual(issues.map((i) => [i.code, i.path]), [['BGPCONF_API_NOT_LOOPBACK', 'api.tcp.address']], address);
      assert.match(issues[0]!.hint!, /ssh -L/);
    }
    const ike = issuesOf(() => parseIkeDaemonConfig(`${IKE}api: { tcp: { address: 0.0.0.0, port: 8180 } }\n`));
    assert.deepEqual(ike.map((i) => i.code), ['IKECONF_API_NOT_LOOPBACK']);
  });

  it('a socket path must be absolute and fit in sun_path', () => {
    assert.deepEqual(issuesOf(() => parseBgpDaemonConfig(`${BGP}api: { socket: run/bgp.sock }\n`)).map((i) => i.code), ['BGPCONF_INVALID_VALUE']);
    assert.deepEqual(issuesOf(() => parseIkeDaemonConfig(`${IKE}api: { socket: /${'x'.repeat(120)}.sock }\n`)).map((i) => i.code), ['IKECONF_INVALID_VALUE']);
  });

  it('takes socket, group and loopback TCP (port defaulted per daemon)', () => {
    const bgp = toDaemonSettings(parseBgpDaemonConfig(`${BGP}api: { socket: /run/vpnlab/r1.sock, group: vpnlab, tcp: { address: 127.0.0.2 } }\n`).data);
    assert.deepEqual(bgp.api, { socket: '/run/vpnlab/r1.sock', group: 'vpnlab', tcp: { address: '127.0.0.2', port: 8179 } });
    const ike = toIkeDaemonSettings(parseIkeDaemonConfig(`${IKE}api: { tcp: {} }\n`).data);
    assert.deepEqual(ike.api, { socket: undefined, group: undefined, tcp: { address: '127.0.0.1', port: 8180 } });
    assert.equal(toIkeDaemonSettings(parseIkeDaemonConfig(`${IKE}api: false\n`).data).api, undefined);
  });

  it('the API over TCP and BGP cannot share a port', () => {
    const issues = issuesOf(() => parseBgpDaemonConfig(`${BGP}listen: { port: 8179 }\napi: { tcp: { port: 8179 } }\n`));
    assert.deepEqual(issues.map((i) => [i.code, i.path]), [['BGPCONF_CONFLICT', 'api.tcp.port']]);
  });
});
