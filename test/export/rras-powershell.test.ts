import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { loadTopologyFile } from '../../src/platforms/load.js';
import { exampleFiles, exportFile } from './onprem-examples.js';
import { parsePowerShell } from '../../src/config/powershell.js';
import { loadCmdletTable, validatePowerShell, type CmdletTable } from './validators/powershell.js';

/*
 * Every RRAS site of every example, exported and validated: parsed by the tree-sitter PowerShell
 * grammar without an error, and every cmdlet, parameter and accepted value found in the table
 * built from Microsoft's cmdlet reference. The seed's own script (copied verbatim from seed 000)
 * passes the same validator; tampered copies (a renamed parameter, a wrong -Protocol value, an
 * unknown cmdlet, a broken quote) fail it.
 */

/** The seed's script, copied verbatim from seed 000 by the import work (its header comment added). */
const SEED_SCRIPT = 'examples/import/seed-000-rras.ps1';

function rrasExports(): { example: string; path: string; text: string }[] {
  const out: { example: string; path: string; text: string }[] = [];
  for (const example of exampleFiles()) {
    const { topology } = loadTopologyFile(example, { keepCheckErrors: true });
    if (!topology.sites.some((s) => s.platform === 'rras' && s.rras !== undefined)) continue;
    for (const a of exportFile(example, ['powershell'])) out.push({ example, path: a.path, text: a.text });
  }
  return out;
}

const EXPORTS = rrasExports();
const SEED = EXPORTS.find((e) => e.example === 'examples/rras-azure-bgp.yaml')!;

describe('RRAS PowerShell validated against the grammar and Microsoft\'s cmdlet reference', () => {
  let table: CmdletTable;
  before(() => {
    table = loadCmdletTable();
  });

  it('every example with an RRAS site exports a script', () => {
    const sites = exampleFiles().filter((f) => loadTopologyFile(f, { keepCheckErrors: true }).topology.sites.some((s) => s.platform === 'rras' && s.rras !== undefined));
    assert.ok(sites.length >= 10, sites.join(', '));
    assert.deepEqual([...new Set(EXPORTS.map((e) => e.example))], sites);
  });

  for (const e of EXPORTS) {
    it(`${e.example}: ${e.path} parses and names only documented cmdlets, parameters and values`, async () => {
      assert.deepEqual(await validatePowerShell(e.path, e.text, table), []);
    });
  }

  it('the seed\'s own script, verbatim (Invoke-WindowsApi and all), validates', async () => {
    const text = readFileSync(SEED_SCRIPT, 'utf8');
    assert.deepEqual(await validatePowerShell(SEED_SCRIPT, text, table), []);
    const script = await parsePowerShell(text);
    // the commands it runs, in order, as the validator read them (functions it defines included)
    assert.deepEqual(script.commands.map((c) => c.name).filter((n) => /^[A-Z][a-z]+-/i.test(n)), [
      'New-Object', 'New-Object', 'Invoke-WindowsApi', 'Add-VpnS2SInterface', 'Set-VpnServerIPsecConfiguration', 'Set-VpnS2Sinterface',
      'Set-PrivateProfileString', 'Set-PrivateProfileString', 'Restart-Service', 'Connect-VpnS2SInterface', 'Add-BgpRouter', 'Add-bgppeer', 'Add-BgpCustomRoute',
    ]);
    assert.deepEqual(script.functions.find((f) => f.name === 'Set-PrivateProfileString')?.parameters, ['file', 'category', 'key', 'value']);
    const add = script.commands.find((c) => c.name === 'Add-VpnS2SInterface')!;
    assert.deepEqual(add.parameters.map((p) => p.name), ['Protocol', 'AuthenticationMethod', 'NumberOfTries', 'ResponderAuthenticationMethod', 'Name', 'Destination', 'IPv4Subnet', 'SharedSecret']);
    assert.equal(add.parameters.find((p) => p.name === 'Protocol')!.value?.text, 'IKEv2');
  });

  it('a renamed parameter fails, in the export and in the seed\'s script', async () => {
    const renamed = SEED.text.replace('-ResponderAuthenticationMethod', '-ResponderAuthMethod');
    const p1 = await validatePowerShell('x.ps1', renamed, table);
    assert.ok(p1.some((p) => /Add-VpnS2SInterface: -ResponderAuthMethod is not a parameter/.test(p)), p1.join('\n'));
    const seed = readFileSync(SEED_SCRIPT, 'utf8').replace('-PeerASN 65010', '-PeerAsNumber 65010');
    const p2 = await validatePowerShell('seed.ps1', seed, table);
    assert.ok(p2.some((p) => /Add-BgpPeer: -PeerAsNumber is not a parameter/.test(p)), p2.join('\n'));
    // a parameter with a digit, renamed: the grammar's gap is masked, the name is still checked
    const p3 = await validatePowerShell('x.ps1', SEED.text.replace('-IPv4Subnet @()', '-IPv5Subnet @()'), table);
    assert.ok(p3.some((p) => /-IPv5Subnet is not a parameter/.test(p)), p3.join('\n'));
  });

  it('a wrong enum value fails: -Protocol, -AuthenticationMethod, -EncryptionType', async () => {
    const cases: [string, string, RegExp][] = [
      ['-Protocol IKEv2', '-Protocol IKEv3', /Add-VpnS2SInterface -Protocol: 'IKEv3' is not an accepted value/],
      ['-AuthenticationMethod PSKOnly', '-AuthenticationMethod PSK', /-AuthenticationMethod: 'PSK' is not an accepted value/],
      ['-EncryptionType MaximumEncryption', '-EncryptionType Maximum', /Set-VpnServerConfiguration -EncryptionType: 'Maximum' is not an accepted value/],
    ];
    for (const [from, to, expected] of cases) {
      const tampered = SEED.text.replace(from, to);
      assert.notEqual(tampered, SEED.text, from);
      const problems = await validatePowerShell('x.ps1', tampered, table);
      assert.ok(problems.some((p) => expected.test(p)), `${to}:\n${problems.join('\n')}`);
    }
    const seed = readFileSync(SEED_SCRIPT, 'utf8').replace('-Protocol IKEv2', '-Protocol IKE');
    assert.ok((await validatePowerShell('seed.ps1', seed, table)).some((p) => /'IKE' is not an accepted value/.test(p)));
  });

  it('an unknown cmdlet, a misspelt parameter of the script\'s own function, and a syntax error fail', async () => {
    const p1 = await validatePowerShell('x.ps1', SEED.text.replace('Add-BgpCustomRoute', 'Add-BgpCustomRoutes'), table);
    assert.ok(p1.some((p) => /Add-BgpCustomRoutes is not a cmdlet/.test(p)), p1.join('\n'));
    const p2 = await validatePowerShell('x.ps1', `${SEED.text}\nSet-PrivateProfileString -Fil 'a' -Sektion 'b' -Key 'c' -Value 'd'\n`, table);
    assert.ok(p2.some((p) => /function of the script\): -Sektion is not a parameter/.test(p)), p2.join('\n'));
    assert.ok(p2.some((p) => /-Fil/.test(p)) === false, 'an unambiguous prefix binds, as in PowerShell');
    const p3 = await validatePowerShell('x.ps1', SEED.text.replace("-SharedSecret 'AzureA1b2C3'", "-SharedSecret 'AzureA1b2C3"), table);
    assert.ok(p3.some((p) => /syntax error|missing/.test(p)), p3.join('\n'));
  });
});
