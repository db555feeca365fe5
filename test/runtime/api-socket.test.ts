/**
 * The control API's unix socket (issue 11, defect 5): only its owner, and a group the user names,
 * can use it; its folder must be the owner's alone; stale sockets are replaced, live ones and
 * other files are not. Over real sockets, with a second user played by `setpriv --reuid`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultApiSocket } from '../../src/runtime/api-listen.js';
import { call, CONNECT_SCRIPT, freshDir, runAsUser, startBgpDaemon } from './api-helpers.js';

const NOBODY = 65534;
const OTHER = 65533;

describe('the API socket belongs to its owner', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  const dir = (tag: string) => {
    const d = freshDir(tag);
    dirs.push(d);
    return d;
  };

  it('is created 0600 in a folder created 0700, and answers its owner', async () => {
    const socket = join(dir('api-sock'), 'run', 'bgp.sock');
    const daemon = await startBgpDaemon({ socket, group: undefined, tcp: undefined });
    try {
      assert.equal(lstatSync(socket).isSocket(), true);
      assert.equal(lstatSync(socket).mode & 0o777, 0o600);
      assert.equal(statSync(join(socket, '..')).mode & 0o777, 0o700);
      const r = await call({ socketPath: socket }, 'GET', '/api/v1/summary');
      assert.equal(r.status, 200);
      assert.equal(r.body.localAsn, 65001);
    } finally {
      await daemon.stop();
    }
    assert.throws(() => lstatSync(socket), { code: 'ENOENT' }, 'the socket is removed on stop');
  });

  it('refuses another local user, even when the folder lets them in', async () => {
    const folder = join(dir('api-other'), 'run');
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    const socket = join(folder, 'bgp.sock');
    const daemon = await startBgpDaemon({ socket, group: undefined, tcp: undefined });
    try {
      chmodSync(join(folder, '..'), 0o755);
      const other = await runAsUser(NOBODY, NOBODY, CONNECT_SCRIPT, [socket]);
      assert.equal(other.stdout.trim(), 'EACCES', `uid ${NOBODY}: ${other.stdout}${other.stderr}`);
      const owner = await call({ socketPath: socket }, 'GET', '/api/v1/peers');
      assert.equal(owner.status, 200);
    } finally {
      await daemon.stop();
    }
  });

  it('with api.group: 0660 for that group, still closed to everyone else', async () => {
    const socket = join(dir('api-group'), 'run', 'bgp.sock');
    chmodSync(join(socket, '../..'), 0o755);
    const daemon = await startBgpDaemon({ socket, group: NOBODY, tcp: undefined });
    try {
      const st = lstatSync(socket);
      assert.equal(st.mode & 0o777, 0o660);
      assert.equal(st.gid, NOBODY);
      const folder = statSync(join(socket, '..'));
      assert.equal(folder.mode & 0o777, 0o750, 'a folder made for a group lets the group in, and nobody else');
      assert.equal(folder.gid, NOBODY);
      const member = await runAsUser(OTHER, NOBODY, CONNECT_SCRIPT, [socket]);
      assert.equal(member.stdout.trim(), 'connected', `a member of the group: ${member.stdout}${member.stderr}`);
      const stranger = await runAsUser(OTHER, OTHER, CONNECT_SCRIPT, [socket]);
      assert.equal(stranger.stdout.trim(), 'EACCES', `not a member: ${stranger.stdout}${stranger.stderr}`);
    } finally {
      await daemon.stop();
    }
  });

  it('refuses a folder another user owns or may write to, with ERR_UNSAFE_FOLDER', async () => {
    const theirs = join(dir('api-theirs'), 'run');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, NOBODY, NOBODY);
    await assert.rejects(startBgpDaemon({ socket: join(theirs, 'bgp.sock'), group: undefined, tcp: undefined }), { code: 'ERR_UNSAFE_FOLDER' });
    for (const mode of [0o777, 0o1777, 0o770]) {
      const open = join(dir('api-open'), 'run');
      mkdirSync(open);
      chmodSync(open, mode);
      await assert.rejects(startBgpDaemon({ socket: join(open, 'bgp.sock'), group: undefined, tcp: undefined }), { code: 'ERR_UNSAFE_FOLDER' }, `mode ${mode.toString(8)}`);
      assert.throws(() => lstatSync(join(open, 'bgp.sock')), { code: 'ENOENT' }, 'nothing is created there');
    }
  });

  it('replaces a stale socket; refuses a live one (ERR_ADDRESS_IN_USE) and a file that is not a socket', async () => {
    const folder = dir('api-stale');
    const socket = join(folder, 'bgp.sock');
    // A process that dies without closing leaves its socket file behind.
    const dead = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))`, socket], { stdio: 'ignore' });
    await new Promise((resolve) => dead.on('exit', resolve));
    assert.equal(lstatSync(socket).isSocket(), true, 'the stale socket is there');
    const daemon = await startBgpDaemon({ socket, group: undefined, tcp: undefined });
    try {
      assert.equal((await call({ socketPath: socket }, 'GET', '/api/v1/summary')).status, 200);
      await assert.rejects(startBgpDaemon({ socket, group: undefined, tcp: undefined }), { code: 'ERR_ADDRESS_IN_USE' });
      assert.equal((await call({ socketPath: socket }, 'GET', '/api/v1/summary')).status, 200, 'the first daemon still answers');
    } finally {
      await daemon.stop();
    }
    const file = join(folder, 'ike.sock');
    writeFileSync(file, 'not a socket');
    await assert.rejects(startBgpDaemon({ socket: file, group: undefined, tcp: undefined }), { code: 'ERR_API_NOT_A_SOCKET' });
  });

  it('refuses requests with an Origin header on the socket too', async () => {
    const socket = join(dir('api-origin'), 'bgp.sock');
    const daemon = await startBgpDaemon({ socket, group: undefined, tcp: undefined });
    try {
      const r = await call({ socketPath: socket }, 'POST', '/api/v1/peers/127.0.0.2/reset', { origin: 'http://attacker.example' });
      assert.equal(r.status, 403);
      assert.equal(r.body.error?.code, 'ORIGIN_REFUSED');
    } finally {
      await daemon.stop();
    }
  });

  it('default path: /run/vpnlab as root, else XDG_RUNTIME_DIR, else /tmp/vpnlab-UID', () => {
    assert.equal(defaultApiSocket('bgp', {}, 0), '/run/vpnlab/bgp.sock');
    assert.equal(defaultApiSocket('ike', { XDG_RUNTIME_DIR: '/run/user/1000' }, 1000), '/run/user/1000/vpnlab/ike.sock');
    assert.equal(defaultApiSocket('ike', {}, 1000), '/tmp/vpnlab-1000/ike.sock');
  });
});
