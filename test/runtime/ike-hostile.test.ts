/**
 * Issue 11 over real loopback UDP: two `vpnlab ike run` daemons (IkeDaemon, in this process) on
 * 127.0.214.2 and 127.0.214.3 bring an IKE SA up on ports 500/4500, then a third address attacks
 * the responder:
 *
 *   - defect 2: the 84-octet datagram of the report (the live SA's SPIs, exchange IKE_SA_INIT,
 *     message ID 2, random bytes) to port 4500 and 500. The SA must keep its peer address and
 *     message IDs, nobody may answer the attacker, and DPD, an IKE SA rekey and ping through the
 *     tunnel must still work;
 *   - defect 10: a flood of IKE_SA_INITs from one address that echoes every cookie. It may hold
 *     blockThreshold half-open SAs, no more, and the live SA stays up.
 *
 * Ports 500/4500 need root (or CAP_NET_BIND_SERVICE). Waits are on state, with bounded timeouts.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { SeededRng } from '../../src/core/rng.js';
import { Ping, PING_DEFAULTS } from '../../src/apps/ping.js';
import { dhGroupById } from '../../src/crypto/dh.js';
import { parseIkeDaemonConfig, toIkeDaemonSettings } from '../../src/ike/config/daemon-schema.js';
import { ExchangeType, HeaderFlag, NotifyType } from '../../src/ike/constants.js';
import { encodeHeader } from '../../src/ike/header.js';
import type { IkeSa } from '../../src/ike/ike-sa.js';
import { decodeMessage, encodeMessage } from '../../src/ike/message.js';
import type { Payload } from '../../src/ike/payload-chain.js';
import { cookieNotify } from '../../src/ike/payloads/notify.js';
import { parseProposals } from '../../src/ike/proposal.js';
import { Writer } from '../../src/core/bytes/writer.js';
import { parseIpv4 } from '../../src/net/address.js';
import { IkeDaemon } from '../../src/runtime/ike-daemon.js';

const A = '127.0.214.2';
const B = '127.0.214.3';
const ATTACKER = '127.0.214.66';
const FLOODER = '127.0.214.67';
const PROPOSAL = 'aes256-sha256-ecp256';

/** The responder also answers anyone (road warriors), so a stranger's IKE_SA_INIT is worth answering. */
const ROAD = `  - name: road
    remote: "%any"
    psk: "another key"
    proposals: [${PROPOSAL}]
    mode: respond
    children: [{ name: road-net, localTs: [10.91.2.0/24], remoteTs: [10.91.3.0/24], espProposals: [aes256gcm16] }]
`;

function config(self: string, peer: string, lan: string, remoteLan: string, mode: 'initiate' | 'respond', extra = ''): string {
  return `
address: ${self}
api: false
lan: { gateway: ${lan}.1/24, hosts: [{ name: vm, address: ${lan}.10 }] }
${extra}
connections:
  - name: peer
    remote: ${peer}
    psk: "hostile peers test key"
    proposals: [${PROPOSAL}]
    mode: ${mode}
    dpdDelay: ${mode === 'initiate' ? 1 : 0}
    rekeyTime: 0
    retransmit: { timeout: 0.5, base: 1.5, tries: 3 }
    children:
      - { name: net-${mode}, localTs: [${lan}.0/24], remoteTs: [${remoteLan}.0/24], espProposals: [aes256gcm16] }
${mode === 'respond' ? ROAD : ''}`;
}

async function waitFor<T>(what: string | (() => string), probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function established(d: IkeDaemon): IkeSa | undefined {
  return d.engine.ikeSas().find((s) => s.state === 'established');
}

function bindUdp(address: string): Promise<{ socket: Socket; received: Buffer[] }> {
  const socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (m) => received.push(m));
  return new Promise((resolve) => socket.bind({ address, port: 0 }, () => resolve({ socket, received })));
}

function send(socket: Socket, bytes: Uint8Array, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => socket.send(bytes, port, address, (e) => (e ? reject(e) : resolve())));
}

/** The report's 84 octets: SPIs of the live SA, IKE_SA_INIT, message ID 2, random bytes in a payload of unknown type. */
function forged(sa: IkeSa): Uint8Array {
  const w = new Writer(84);
  encodeHeader({ spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.IKE_SA_INIT, flags: HeaderFlag.INITIATOR, messageId: 2, minorVersion: 0 }, 200, 84, w);
  w.u8(0).u8(0).u16(56);
  w.bytes(new SeededRng(11).bytes(52));
  return w.finish(84);
}

function ping(from: IkeDaemon, to: string): Promise<number> {
  return new Promise((resolve) => {
    from.pump.run(() => {
      const p: Ping = new Ping(from.host('vm').ip, parseIpv4(to), { ...PING_DEFAULTS.linux, intervalMs: 200, timeoutMs: 2000, count: 3, identifier: 0x4242 },
        () => resolve(p.events.filter((e) => e.kind === 'reply').length));
    });
  });
}

describe('ike run against a hostile third address, over loopback UDP (issue 11)', () => {
  let a: IkeDaemon;
  let b: IkeDaemon;
  const logs = { a: [] as string[], b: [] as string[] };

  before(async () => {
    a = new IkeDaemon(toIkeDaemonSettings(parseIkeDaemonConfig(config(A, B, '10.91.1', '10.91.2', 'initiate')).data), (l) => logs.a.push(l));
    b = new IkeDaemon(toIkeDaemonSettings(parseIkeDaemonConfig(config(B, A, '10.91.2', '10.91.1', 'respond', 'limits: { cookieThreshold: 2, blockThreshold: 5 }')).data), (l) => logs.b.push(l));
    await b.start();
    await a.start();
    await waitFor('the IKE SA on both sides', () => established(a) !== undefined && established(b) !== undefined && established(b)!.children.length > 0);
  });

  after(async () => {
    await Promise.all([a?.stop(50), b?.stop(50)]);
  });

  it('the forged 84-octet IKE_SA_INIT changes nothing; DPD, an IKE SA rekey and ping still work', async () => {
    const sa = established(b)!;
    const before = { remote: { ...sa.remote }, local: { ...sa.local }, ids: { ...sa.messageIds } };
    assert.equal(before.remote.port, 4500);
    const attacker = await bindUdp(ATTACKER);
    try {
      const bytes = forged(sa);
      assert.equal(bytes.length, 84);
      await send(attacker.socket, Uint8Array.of(0, 0, 0, 0, ...bytes), 4500, B);
      await send(attacker.socket, bytes, 500, B);
      await waitFor('both forgeries dropped', () => (b.engine.dropped?.unprotected ?? 0) >= 2 || sa.remote.address !== before.remote.address);
      assert.deepEqual({ remote: sa.remote, local: sa.local, ids: sa.messageIds }, before, logs.b.join('\n'));
      assert.equal(sa.state, 'established');
      // DPD (every quiet second from A): new requests, answered, message IDs advancing on both sides.
      const saA = established(a)!;
      const next = saA.messageIds.nextRequest;
      await waitFor('two DPD exchanges', () => saA.messageIds.nextRequest >= next + 2 && sa.messageIds.expectedRequest === saA.messageIds.nextRequest, 8000);
      assert.equal(established(a), saA);
      // An IKE SA rekey, then ESP both ways.
      a.pump.run(() => a.engine.rekeyIkeSa('peer'));
      await waitFor('the rekeyed IKE SA', () => established(a) !== saA && established(b) !== sa && established(a) !== undefined && established(b) !== undefined);
      assert.equal(await ping(a, '10.91.2.10'), 3);
      assert.equal(await ping(b, '10.91.1.10'), 3);
      assert.equal(attacker.received.length, 0, 'nothing was sent to the attacker');
      assert.ok(!logs.b.some((l) => l.includes(`to ${ATTACKER}`)), 'the peer never "moved" to the attacker');
    } finally {
      attacker.socket.close();
    }
  });

  it('one address echoing every cookie holds blockThreshold half-open SAs, no more; the live SA stays up', async () => {
    const flooder = await bindUdp(FLOODER);
    const rng = new SeededRng(21);
    const proposals = parseProposals([PROPOSAL], 'ike');
    const requests = new Map<bigint, Payload[]>();
    const init = (spiI: bigint, payloads: Payload[]) => encodeMessage({ header: { spiI, spiR: 0n, exchangeType: ExchangeType.IKE_SA_INIT, flags: HeaderFlag.INITIATOR, messageId: 0, minorVersion: 0 }, payloads });
    const echoed = new Set<bigint>();
    flooder.socket.on('message', (m) => {
      const response = decodeMessage(new Uint8Array(m));
      const first = response.payloads[0];
      const spiI = response.header.spiI;
      if (first?.type === 'notify' && first.notifyType === NotifyType.COOKIE && !echoed.has(spiI)) {
        echoed.add(spiI);
        void send(flooder.socket, init(spiI, [cookieNotify(first.data), ...requests.get(spiI)!]), 500, B);
      }
    });
    const N = 100;
    try {
      for (let i = 1; i <= N; i++) {
        const spiI = 0x5a5a000000000000n + BigInt(i);
        const payloads: Payload[] = [
          { type: 'sa', proposals },
          { type: 'ke', group: 19, data: dhGroupById(19).generate(rng).publicValue },
          { type: 'nonce', data: rng.bytes(32) },
        ];
        requests.set(spiI, payloads);
        await send(flooder.socket, init(spiI, payloads), 500, B);
      }
      const halfOpen = () => b.engine.view().filter((v) => v.state === 'connecting' && v.role === 'responder').length;
      await waitFor(() => `the flood handled (now ${halfOpen()} half-open, ${JSON.stringify(b.engine.dropped)}, ${echoed.size} cookies echoed)`, () => halfOpen() + (b.engine.dropped?.blocked ?? 0) >= N);
      assert.equal(halfOpen(), 5, 'blockThreshold half-open SAs');
      assert.ok(echoed.size >= N - 5, `cookies echoed: ${echoed.size}`);
      assert.equal(b.engine.dropped.blocked, N - 5);
      assert.ok(established(a) !== undefined && established(b) !== undefined, 'the live SA is untouched');
      assert.ok(logs.b.filter((l) => l.includes(FLOODER)).length < 40, `${logs.b.filter((l) => l.includes(FLOODER)).length} log lines about the flooder`);
    } finally {
      flooder.socket.close();
    }
  });
});
