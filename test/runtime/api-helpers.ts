/*
 * What the API tests share: a daemon on a socket in a fresh folder, raw HTTP calls over the socket
 * or TCP (headers as given, so Host, Origin and Authorization can be forged), and a child process
 * run as another user.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBgpDaemonConfig, toDaemonSettings } from '../../src/bgp/config/daemon-schema.js';
import type { ApiSettings } from '../../src/config/api-schema.js';
import { parseIkeDaemonConfig, toIkeDaemonSettings, type IkeDaemonSettings } from '../../src/ike/config/daemon-schema.js';
import type { ApiListeners } from '../../src/runtime/api-listen.js';
import { BgpDaemon } from '../../src/runtime/bgp-daemon.js';
import { IkeDaemon } from '../../src/runtime/ike-daemon.js';
import { startIkeApi } from '../../src/runtime/ike-api.js';

/** A fresh folder of ours (0700, from mkdtemp) for sockets and files. */
export function freshDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `vpnlab-${tag}-`));
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
  text: string;
}

export type Where = { socketPath: string } | { port: number; host?: string };

/** One HTTP request, headers exactly as given (plus Host, unless given). */
export function call(where: Where, method: string, path: string, headers: OutgoingHttpHeaders = {}, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = 'socketPath' in where ? { socketPath: where.socketPath } : { host: where.host ?? '127.0.0.1', port: where.port };
    const req = request({ ...target, method, path, headers, timeout: 20_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Answer['body'] = {};
        try {
          parsed = JSON.parse(text) as Answer['body'];
        } catch {
          // Left empty: the test asserts on status and text.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path} within 20 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const BGP_CONFIG = `
localAsn: 65001
routerId: 10.0.0.1
listen: false
neighbors:
  - { address: 127.0.0.2, asn: 65002, mode: active, connectRetryTime: 3600 }
`;

/** A BGP daemon that never listens for BGP, with its API as `api` says. */
export async function startBgpDaemon(api: ApiSettings, log: (line: string) => void = () => {}): Promise<BgpDaemon> {
  const settings = toDaemonSettings(parseBgpDaemonConfig(BGP_CONFIG).data);
  const daemon = new BgpDaemon({ ...settings, api }, log);
  await daemon.start();
  return daemon;
}

const IKE_CONFIG = `
address: 127.0.0.1
lan:
  gateway: 10.12.0.1/24
  hosts: [{ name: vm1, address: 10.12.0.10 }, { name: dc1, address: 10.12.0.20, os: windows }]
connections:
  - name: swan
    remote: 127.0.0.3
    mode: respond
    psk: a long pre-shared key for the tests
    proposals: [aes256-sha256-modp2048]
    children:
      - { name: net, localTs: [10.12.0.0/24], remoteTs: [10.11.0.0/24], espProposals: [aes256gcm16], start: none }
`;

export interface IkeApiUnderTest {
  daemon: IkeDaemon;
  api: ApiListeners;
  settings: IkeDaemonSettings;
  close(): Promise<void>;
}

/**
 * The IKE daemon's API over its emulated LAN, without binding UDP 500/4500 (no IKE traffic is
 * needed: the LAN answers ping and the key tables are empty).
 */
export async function startIkeApiUnderTest(api: ApiSettings, allowKeyExport: boolean): Promise<IkeApiUnderTest> {
  const settings = { ...toIkeDaemonSettings(parseIkeDaemonConfig(IKE_CONFIG).data), api };
  const daemon = new IkeDaemon(settings, () => {});
  const listeners = await startIkeApi(daemon, settings, { allowKeyExport }, () => {});
  return {
    daemon, api: listeners, settings,
    close: async () => {
      await listeners.close();
      daemon.pump.stop();
    },
  };
}

/** Runs `node -e script` as uid/gid with no supplementary groups; resolves with its stdout. */
export function runAsUser(uid: number, gid: number, script: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', process.execPath, '-e', script, ...args], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A script for runAsUser: connects to the socket in argv[1] and prints `connected` or the errno. */
export const CONNECT_SCRIPT = `
const s = require('node:net').createConnection({ path: process.argv[1] });
s.on('connect', () => { console.log('connected'); s.destroy(); });
s.on('error', (e) => console.log(e.code));
`;
