import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpv4 } from '../../src/net/address.js';
import { NodeTransport } from '../../src/runtime/node-transport.js';
import type { TransportError } from '../../src/transport/types.js';

const LOOPBACK = parseIpv4('127.0.0.1');

describe('NodeTransport (real sockets, loopback only)', () => {
  it('carries TCP both ways with half-close', async () => {
    const t = new NodeTransport();
    const listener = t.listenTcp({ address: LOOPBACK, port: 0 }, (sock) => {
      const got: number[] = [];
      sock.setHandlers({
        onData: (d) => got.push(...d),
        onEnd: () => {
          sock.write(Uint8Array.from(got.reverse()));
          sock.end();
        },
      });
    });
    const { port } = await listener.whenListening();
    const reply = await new Promise<number[]>((resolve, reject) => {
      const got: number[] = [];
      const c = t.connectTcp({ remote: { address: LOOPBACK, port } }, {
        onConnect: () => {
          c.write(Uint8Array.from([1, 2, 3]));
          c.end();
        },
        onData: (d) => got.push(...d),
        onClose: (e) => (e === undefined ? resolve(got) : reject(e)),
      });
    });
    listener.close();
    assert.deepEqual(reply, [3, 2, 1]);
  });

  it('reports a refused connection with ERR_TCP_REFUSED', async () => {
    const t = new NodeTransport();
    const listener = t.listenTcp({ address: LOOPBACK, port: 0 }, () => {});
    const { port } = await listener.whenListening();
    listener.close();
    const error = await new Promise<TransportError | undefined>((resolve) => {
      t.connectTcp({ remote: { address: LOOPBACK, port } }, { onClose: resolve });
    });
    assert.equal(error?.code, 'ERR_TCP_REFUSED');
  });

  it('sends and receives UDP datagrams', async () => {
    const t = new NodeTransport();
    const received = new Promise<Uint8Array>((resolve) => {
      let client: ReturnType<typeof t.bindUdp> | undefined;
      const server = t.bindUdp({ address: LOOPBACK, port: 0 }, (ev) => {
        resolve(ev.payload);
        server.close();
        client?.close();
      });
      const check = (): void => {
        if (server.local.port === 0) {
          setImmediate(check);
          return;
        }
        client = t.bindUdp({ address: LOOPBACK, port: 0 }, () => {});
        client.send({ address: LOOPBACK, port: server.local.port }, Uint8Array.from([0xbe, 0xef]));
      };
      check();
    });
    assert.deepEqual(await received, Uint8Array.from([0xbe, 0xef]));
  });

  it('reports a UDP port already taken as ERR_ADDRESS_IN_USE, and a foreign address as ERR_ADDRESS_NOT_LOCAL, without crashing', async () => {
    const t = new NodeTransport();
    const first = t.bindUdp({ address: LOOPBACK, port: 0 }, () => {});
    const at = await first.whenBound();
    const second = t.bindUdp({ address: LOOPBACK, port: at.port }, () => {});
    await assert.rejects(second.whenBound(), (e: TransportError) => e.code === 'ERR_ADDRESS_IN_USE');
    // 192.0.2.1 (TEST-NET-1) is on no interface here: binding fails, nothing is sent.
    const foreign = t.bindUdp({ address: parseIpv4('192.0.2.1'), port: 0 }, () => {});
    await assert.rejects(foreign.whenBound(), (e: TransportError) => e.code === 'ERR_ADDRESS_NOT_LOCAL');
    first.close();
  });
});
