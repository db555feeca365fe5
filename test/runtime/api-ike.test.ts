/**
 * The IKE daemon's API (issue 11, defects 5, 6 and 8): the keys only with --allow-key-export;
 * ping parameters validated and bounded, the daemon answering after every refused one; and
 * `vpnlab ike keys -o DIR` writing 0600 files in a folder of the user's own, never through a link.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/main.js';
import { ESP_SA_FILE, IKEV2_DECRYPTION_TABLE_FILE } from '../../src/ike/key-export.js';
import { PING_LIMITS } from '../../src/runtime/ike-api.js';
import { call, freshDir, startIkeApiUnderTest, type IkeApiUnderTest } from './api-helpers.js';

describe('GET /api/v1/keys', { timeout: 30_000 }, () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  for (const allowKeyExport of [false, true]) {
    it(allowKeyExport ? 'answers with --allow-key-export' : '403 KEY_EXPORT_DISABLED without --allow-key-export', async () => {
      const dir = freshDir('api-keys');
      dirs.push(dir);
      const lab = await startIkeApiUnderTest({ socket: join(dir, 'ike.sock'), group: undefined, tcp: undefined }, allowKeyExport);
      try {
        const r = await call({ socketPath: join(dir, 'ike.sock') }, 'GET', '/api/v1/keys');
        if (allowKeyExport) {
          assert.equal(r.status, 200);
          assert.equal(typeof r.body[IKEV2_DECRYPTION_TABLE_FILE], 'string');
          assert.equal(typeof r.body[ESP_SA_FILE], 'string');
        } else {
          assert.equal(r.status, 403);
          assert.equal(r.body.error?.code, 'KEY_EXPORT_DISABLED');
        }
      } finally {
        await lab.close();
      }
    });
  }
});

describe('POST /api/v1/ping: every parameter checked, every ping bounded', { timeout: 60_000 }, () => {
  let dir: string;
  let lab: IkeApiUnderTest;
  let socketPath: string;
  before(async () => {
    dir = freshDir('api-ping');
    socketPath = join(dir, 'ike.sock');
    lab = await startIkeApiUnderTest({ socket: socketPath, group: undefined, tcp: undefined }, false);
  });
  after(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ping = (query: string) => call({ socketPath }, 'POST', `/api/v1/ping?${query}`);

  it('400 BAD_PARAMETER for values that are not numbers, out of range, or too long in total', async () => {
    const bad = [
      'to=10.12.0.10&interval=abc', 'to=10.12.0.10&interval=1e12', 'to=10.12.0.10&interval=NaN', 'to=10.12.0.10&interval=-5',
      'to=10.12.0.10&interval=0', 'to=10.12.0.10&interval=0x10', 'to=10.12.0.10&interval=', 'to=10.12.0.10&interval=1.5',
      'to=10.12.0.10&count=1e9', 'to=10.12.0.10&count=0', 'to=10.12.0.10&count=Infinity', 'to=10.12.0.10&count=99999999999999999999',
      `to=10.12.0.10&count=${PING_LIMITS.count.max}&interval=${PING_LIMITS.intervalMs.max}`,
      'to=10.12.0.10&from=dc1&count=40', 'to=not-an-address', 'from=vm1', 'to=10.12.0.10&to=10.12.0.20',
    ];
    for (const query of bad) {
      const r = await ping(query);
      assert.equal(r.status, 400, `${query}: ${r.text}`);
      assert.equal(r.body.error?.code, 'BAD_PARAMETER', query);
    }
  });

  it('400 UNKNOWN_PARAMETER for a parameter the endpoint does not take; 404 for an unknown host', async () => {
    const r = await ping('to=10.12.0.10&size=65000');
    assert.equal(r.status, 400);
    assert.equal(r.body.error?.code, 'UNKNOWN_PARAMETER');
    const host = await ping('to=10.12.0.10&from=nosuchhost');
    assert.equal(host.status, 404);
    assert.equal(host.body.error?.code, 'NO_SUCH_HOST');
  });

  it('still pings after all that: valid parameters work and the daemon keeps answering', async () => {
    const r = await ping('to=10.12.0.10&count=3&interval=20');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.sent, 3);
    assert.equal(r.body.received, 3);
    const sas = await call({ socketPath }, 'GET', '/api/v1/sas');
    assert.equal(sas.status, 200);
    assert.deepEqual(sas.body, []);
  });

  it('a ping whose first echo cannot be sent answers at once, not 500', async () => {
    const r = await ping('to=192.0.2.1&count=1');
    assert.equal(r.status, 200, r.text);
    assert.equal((r.body.events as { kind: string }[])[0]!.kind, 'send-failed');
  });

  it(`at most ${PING_LIMITS.maxConcurrent} pings at once (429 BUSY), and the slots come back`, async () => {
    const running = Array.from({ length: PING_LIMITS.maxConcurrent }, () => ping('to=10.12.0.10&count=3&interval=300'));
    await new Promise((r) => setTimeout(r, 100));
    const busy = await ping('to=10.12.0.10&count=1');
    assert.equal(busy.status, 429);
    assert.equal(busy.body.error?.code, 'BUSY');
    for (const r of await Promise.all(running)) assert.equal(r.status, 200);
    assert.equal((await ping('to=10.12.0.10&count=1')).status, 200);
  });

  it('other endpoints check their parameters and names too', async () => {
    const rekey = await call({ socketPath }, 'POST', '/api/v1/connections/swan/rekey?child=nosuch');
    assert.equal(rekey.status, 404);
    assert.equal(rekey.body.error?.code, 'NO_SUCH_CHILD');
    const extra = await call({ socketPath }, 'POST', '/api/v1/connections/swan/terminate?child=net');
    assert.equal(extra.body.error?.code, 'UNKNOWN_PARAMETER');
    const initiate = await call({ socketPath }, 'POST', '/api/v1/connections/swan/initiate?now=1');
    assert.equal(initiate.body.error?.code, 'UNKNOWN_PARAMETER');
    const sas = await call({ socketPath }, 'GET', '/api/v1/sas?all=1');
    assert.equal(sas.body.error?.code, 'UNKNOWN_PARAMETER');
  });
});

describe('vpnlab ike keys -o DIR', { timeout: 60_000 }, () => {
  let dir: string;
  let lab: IkeApiUnderTest;
  let socket: string;
  before(async () => {
    dir = freshDir('api-keyfiles');
    socket = join(dir, 'ike.sock');
    lab = await startIkeApiUnderTest({ socket, group: undefined, tcp: undefined }, true);
  });
  after(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the command; resolves with the error it threw (its code), or undefined. */
  async function keys(out: string, ...extra: string[]): Promise<{ code: string } | undefined> {
    const program = buildProgram({ out: () => {}, err: () => {} });
    try {
      await program.parseAsync(['node', 'vpnlab', 'ike', 'keys', '-o', out, '--socket', socket, ...extra]);
      return undefined;
    } catch (e) {
      return e as { code: string };
    }
  }

  it('creates the folder 0700 and the files 0600', async () => {
    const out = join(dir, 'ws');
    assert.equal(await keys(out), undefined);
    assert.equal(statSync(out).mode & 0o777, 0o700);
    for (const name of [IKEV2_DECRYPTION_TABLE_FILE, ESP_SA_FILE]) {
      const st = lstatSync(join(out, name));
      assert.equal(st.isFile(), true);
      assert.equal(st.mode & 0o777, 0o600, name);
    }
  });

  it('refuses to write over existing files without --force (ERR_FILE_EXISTS)', async () => {
    const out = join(dir, 'again');
    assert.equal(await keys(out), undefined);
    writeFileSync(join(out, ESP_SA_FILE), 'mine');
    assert.equal((await keys(out))?.code, 'ERR_FILE_EXISTS');
    assert.equal(readFileSync(join(out, ESP_SA_FILE), 'utf8'), 'mine');
    assert.equal(await keys(out, '--force'), undefined);
    assert.notEqual(readFileSync(join(out, ESP_SA_FILE), 'utf8'), 'mine');
    assert.equal(lstatSync(join(out, ESP_SA_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(out).sort(), [ESP_SA_FILE, IKEV2_DECRYPTION_TABLE_FILE].sort(), 'no temporary file left');
  });

  it('never writes through a planted symbolic link, with or without --force', async () => {
    const out = join(dir, 'planted');
    mkdirSync(out, { mode: 0o700 });
    const target = join(dir, 'precious');
    writeFileSync(target, 'do not overwrite\n', { mode: 0o644 });
    symlinkSync(target, join(out, ESP_SA_FILE));
    assert.equal((await keys(out))?.code, 'ERR_FILE_EXISTS');
    assert.equal(readFileSync(target, 'utf8'), 'do not overwrite\n');
    assert.equal(await keys(out, '--force'), undefined);
    assert.equal(readFileSync(target, 'utf8'), 'do not overwrite\n', 'the link\'s target is untouched');
    assert.equal(statSync(target).mode & 0o777, 0o644);
    const replaced = lstatSync(join(out, ESP_SA_FILE));
    assert.equal(replaced.isSymbolicLink(), false, 'the link itself was replaced by the key file');
    assert.equal(replaced.mode & 0o777, 0o600);
  });

  it('refuses a folder others can write to, or another user owns (ERR_UNSAFE_FOLDER), and writes nothing', async () => {
    for (const mode of [0o777, 0o1777, 0o775]) {
      const out = join(dir, `open-${mode.toString(8)}`);
      mkdirSync(out);
      chmodSync(out, mode);
      assert.equal((await keys(out))?.code, 'ERR_UNSAFE_FOLDER', `mode ${mode.toString(8)}`);
      assert.deepEqual(readdirSync(out), []);
    }
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 65534, 65534);
    assert.equal((await keys(theirs))?.code, 'ERR_UNSAFE_FOLDER');
    const linked = join(dir, 'linked');
    symlinkSync(join(dir, 'ws'), linked);
    assert.equal((await keys(linked))?.code, 'ERR_UNSAFE_FOLDER', 'a folder given as a link is refused');
  });

  it('says the daemon must allow key export when it does not', async () => {
    const other = freshDir('api-nokeys');
    const closed = await startIkeApiUnderTest({ socket: join(other, 'ike.sock'), group: undefined, tcp: undefined }, false);
    try {
      const program = buildProgram({ out: () => {}, err: () => {} });
      await assert.rejects(program.parseAsync(['node', 'vpnlab', 'ike', 'keys', '-o', join(other, 'ws'), '--socket', join(other, 'ike.sock')]), { code: 'ERR_IKE_API_KEY_EXPORT_DISABLED' });
    } finally {
      await closed.close();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
