import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTopology, type Topology } from '../../interop/netns.js';
import { startCharon, type RunningCharon } from '../../interop/strongswan.js';

/*
 * swanctl.conf validation by strongSwan itself: a private charon (5.9, the interop harness's
 * recipe: its own netns, private /run, its own vici socket) and `swanctl --load-all --file F`
 * against it. charon's vici parser refuses an unknown key or a value it cannot read ("loading
 * connection 'x' failed: unknown option: dpd_acton, config discarded") and swanctl then exits
 * non-zero; a file passes only when swanctl exits 0, prints nothing but the lines of a clean load,
 * and reports every connection and secret of the file loaded.
 */

/** What a clean `swanctl --load-all` prints besides the per-item "loaded …" lines. */
const CLEAN_LINES = [
  /^loaded (ike|eap|xauth|ntlm|ppk) secret '[^']+'$/,
  /^loaded connection '[^']+'$/,
  /^no (authorities|pools) found, 0 unloaded$/,
  /^successfully loaded \d+ connections, \d+ unloaded$/,
];

export interface SwanctlValidator {
  /** Problems swanctl reported loading `text`; empty when every connection and secret loaded cleanly. */
  validate(text: string, expected: { connections: readonly string[]; secrets: readonly string[] }): Promise<string[]>;
  close(): Promise<void>;
}

export async function startSwanctlValidator(): Promise<SwanctlValidator> {
  const topology: Topology = await createTopology();
  let charon: RunningCharon;
  try {
    const ns = await topology.createNamespace('swan');
    charon = await startCharon({ topology, ns, name: 'validator', connections: [] });
  } catch (e) {
    await topology.destroy();
    throw e;
  }
  const file = join(charon.workdir, 'swanctl', 'swanctl.conf');
  return {
    async validate(text, expected) {
      await writeFile(file, text);
      let out: string;
      try {
        out = await charon.swanctl(['--load-all', '--file', file]);
      } catch (e) {
        return [(e as Error).message];
      }
      const lines = out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
      const problems = lines.filter((l) => !CLEAN_LINES.some((re) => re.test(l))).map((l) => `swanctl: ${l}`);
      const loaded = new Set(lines.map((l) => /^loaded connection '([^']+)'$/.exec(l)?.[1]).filter((n) => n !== undefined));
      const secrets = new Set(lines.map((l) => /^loaded ike secret '([^']+)'$/.exec(l)?.[1]).filter((n) => n !== undefined));
      for (const c of expected.connections) if (!loaded.has(c)) problems.push(`connection '${c}' was not loaded`);
      for (const s of expected.secrets) if (!secrets.has(s)) problems.push(`secret '${s}' was not loaded`);
      const conns = await charon.swanctl(['--list-conns']);
      for (const c of expected.connections) if (!new RegExp(`^${c}: `, 'm').test(conns)) problems.push(`connection '${c}' is not in --list-conns`);
      return problems;
    },
    async close() {
      await topology.destroy();
    },
  };
}
