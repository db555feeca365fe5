/**
 * The API over TCP (api.tcp) and the bounds of every listener (issue 11, defects 5 and 6): a
 * token, the Host of the API itself (DNS rebinding), no Origin (web pages); bounded bodies,
 * headers, connections and idle time; strict parameters. Real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { lstatSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API_LIMITS } from '../../src/runtime/json-api.js';
import type { BgpDaemon } from '../../src/runtime/bgp-daemon.js';
import { call, freshDir, startBgpDaemon } from './api-helpers.js';

describe('the API over TCP', { timeout: 60_000 }, () => {
  let dir: string;
  let daemon: BgpDaemon;
  let port: number;
  let token: string;
  let socket: string;
  const lines: string[] = [];

  before(async () => {
    dir = freshDir('api-tcp');
    socket = join(dir, 'bgp.sock');
    daemon = await startBgpDaemon({ socket, group: undefined, tcp: { address: '127.0.0.1', port: 0 } }, (l) => lines.push(l));
    const at = lines.find((l) => l.includes('API on http://'))!;
    port = Number(/:(\d+)\/api/.exec(at)![1]);
    token = readFileSync(join(dir, 'bgp.token'), 'utf8').trim();
  });
  after(async () => {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = () => ({ authorization: `Bearer ${token}` });

  it('writes a 32-octet token, 0600, next to the socket', () => {
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.equal(lstatSync(join(dir, 'bgp.token')).mode & 0o777, 0o600);
  });

  it('answers with the token and the API\'s own Host', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const r = await call({ port }, 'GET', '/api/v1/summary', { ...auth(), host });
      assert.equal(r.status, 200, host);
    }
  });

  it('401 without the token or with a wrong one', async () => {
    const none = await call({ port }, 'GET', '/api/v1/peers');
    assert.equal(none.status, 401);
    assert.equal(none.body.error?.code, 'UNAUTHORIZED');
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    const wrong = await call({ port }, 'POST', '/api/v1/peers/127.0.0.2/reset', { authorization: `Bearer ${'0'.repeat(64)}` });
    assert.equal(wrong.status, 401);
    const basic = await call({ port }, 'GET', '/api/v1/peers', { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` });
    assert.equal(basic.status, 401);
  });

  it('421 for a foreign Host (DNS rebinding), even with the token', async () => {
    for (const host of ['attacker.example', `attacker.example:${port}`, '127.0.0.1', `127.0.0.2:${port}`]) {
      const r = await call({ port }, 'GET', '/api/v1/peers', { ...auth(), host });
      assert.equal(r.status, 421, host);
      assert.equal(r.body.error?.code, 'HOST_REFUSED');
    }
  });

  it('403 for any request carrying Origin, even with the token', async () => {
    for (const origin of ['http://attacker.example', `http://127.0.0.1:${port}`, 'null']) {
      const r = await call({ port }, 'POST', '/api/v1/peers/127.0.0.2/reset', { ...auth(), origin });
      assert.equal(r.status, 403, origin);
      assert.equal(r.body.error?.code, 'ORIGIN_REFUSED');
    }
  });

  it('400 for unknown or repeated parameters and bad values', async () => {
    const cases: [string, string][] = [
      ['/api/v1/summary?verbose=1', 'UNKNOWN_PARAMETER'],
      ['/api/v1/routes?prefix=10.0.0.0/8&prefix=10.0.0.0/16', 'BAD_PARAMETER'],
      ['/api/v1/routes?prefix=10.0.0.0/33', 'BAD_PARAMETER'],
      ['/api/v1/routes?prefx=10.0.0.0/8', 'UNKNOWN_PARAMETER'],
      ['/api/v1/peers/%E0%A4%A', 'BAD_PATH'],
    ];
    for (const [path, code] of cases) {
      const r = await call({ port }, 'GET', path, auth());
      assert.equal(r.status, 400, path);
      assert.equal(r.body.error?.code, code, path);
    }
  });

  it('413 for a body over the limit, 431 for headers over it; both as JSON errors', async () => {
    const body = 'x'.repeat(API_LIMITS.maxBodyOctets + 1);
    const big = await call({ port }, 'POST', '/api/v1/peers/127.0.0.2/reset', { ...auth(), 'content-length': body.length }, body);
    assert.equal(big.status, 413);
    assert.equal(big.body.error?.code, 'BODY_TOO_LARGE');
    const chunked = await call({ port }, 'POST', '/api/v1/peers/127.0.0.2/reset', { ...auth(), 'transfer-encoding': 'chunked' }, body);
    assert.equal(chunked.status, 413, 'a chunked body is counted as it arrives');
    const small = await call({ port }, 'GET', '/api/v1/summary', { ...auth(), 'content-length': 10 }, '0123456789');
    assert.equal(small.status, 200, 'a small body is read and ignored');
    const headers = await call({ port }, 'GET', '/api/v1/summary', { ...auth(), 'x-filler': 'y'.repeat(API_LIMITS.maxHeaderOctets + 1) });
    assert.equal(headers.status, 431);
    assert.equal(headers.body.error?.code, 'HEADERS_TOO_LARGE');
    assert.equal((await call({ port }, 'GET', '/api/v1/summary', auth())).status, 200);
  });

  it('holds at most maxConnections connections; the daemon answers again once they go', async () => {
    const open: Socket[] = [];
    const closedEarly: number[] = [];
    for (let i = 0; i < API_LIMITS.maxConnections + 8; i++) {
      const s = createConnection({ host: '127.0.0.1', port });
      await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
      s.on('error', () => {});
      s.on('close', () => closedEarly.push(i));
      open.push(s);
    }
    const deadline = performance.now() + 5000;
    while (closedEarly.length < 8 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(closedEarly.length, 8, 'the connections past the limit are closed at once');
    assert.ok(closedEarly.every((i) => i >= API_LIMITS.maxConnections));
    for (const s of open) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await call({ port }, 'GET', '/api/v1/summary', auth())).status, 200);
  });

  it('closes a connection that never finishes its headers (slowloris)', async () => {
    const s = createConnection({ host: '127.0.0.1', port });
    await new Promise((resolve) => s.once('connect', resolve));
    s.write(`GET /api/v1/summary HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    s.resume();
    const started = performance.now();
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), API_LIMITS.headersTimeoutMs + 5000);
      s.on('error', () => {});
      s.once('close', () => { clearTimeout(timer); resolve(true); });
    });
    s.destroy();
    assert.equal(closed, true, `the half-sent request was still open after ${Math.round(performance.now() - started)} ms`);
  });
});
