import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bindArguments, parsePowerShell, type PsCommand } from '../../src/config/powershell.js';

/*
 * The PowerShell reader (src/config/powershell.ts) on the seed's own script, copied verbatim into
 * examples/import/seed-000-rras.ps1, and on the places where the tree-sitter grammar and
 * PowerShell disagree.
 */

const SEED_SCRIPT = 'examples/import/seed-000-rras.ps1';
const SEED_DOCUMENT = '../shared/seeds/000_ce333039b68fc39f.txt';

function shape(command: PsCommand): unknown {
  return {
    at: `${command.origin.line}:${command.origin.column}`,
    name: command.name,
    parameters: command.parameters.map((p) => [p.name, p.value?.kind, p.value?.literal]),
    positional: command.positional.map((v) => [v.kind, v.literal ?? v.text]),
  };
}

describe('the PowerShell reader', () => {
  it('keeps the seed script verbatim: its body is lines 83-149 and 154-159 of the seed document', () => {
    const script = readFileSync(SEED_SCRIPT, 'utf8');
    let seed: string;
    try {
      seed = readFileSync(SEED_DOCUMENT, 'utf8');
    } catch {
      seed = readFileSync('/work/wt/shared/seeds/000_ce333039b68fc39f.txt', 'utf8');
    }
    const lines = seed.split('\n');
    const expected = [...lines.slice(82, 149), '', ...lines.slice(153, 159)].join('\n') + '\n';
    const body = script.split('\n').slice(5).join('\n');
    assert.equal(body, expected);
    assert.match(body, /-Name 1\.2\.3\.4 -Destination 1\.2\.3\.4/);
  });

  it('reads every command of the seed script with its parameters, literals and lines, and no parse error', async () => {
    const script = await parsePowerShell(readFileSync(SEED_SCRIPT, 'utf8'));
    assert.deepEqual(script.errors, []);
    const top = script.commands.filter((c) => c.within === undefined).map(shape);
    assert.deepEqual(top, [
      {
        at: '58:3', name: 'Add-VpnS2SInterface', positional: [],
        parameters: [
          ['Protocol', 'bare', 'IKEv2'], ['AuthenticationMethod', 'bare', 'PSKOnly'], ['NumberOfTries', 'number', 3],
          ['ResponderAuthenticationMethod', 'bare', 'PSKOnly'], ['Name', 'bare', '1.2.3.4'], ['Destination', 'bare', '1.2.3.4'],
          ['IPv4Subnet', 'array', []], ['SharedSecret', 'bare', 'AzureA1b2C3'],
        ],
      },
      { at: '60:3', name: 'Set-VpnServerIPsecConfiguration', parameters: [['EncryptionType', 'bare', 'MaximumEncryption']], positional: [] },
      {
        at: '62:3', name: 'Set-VpnS2Sinterface', positional: [],
        parameters: [['Name', 'bare', '1.2.3.4'], ['InitiateConfigPayload', 'bool', false], ['Force', undefined, undefined]],
      },
      {
        at: '65:3', name: 'Set-PrivateProfileString', parameters: [],
        positional: [['bare', '$env:windir\\System32\\ras\\router.pbk'], ['string', '1.2.3.4'], ['string', 'IdleDisconnectSeconds'], ['string', '0']],
      },
      {
        at: '66:3', name: 'Set-PrivateProfileString', parameters: [],
        positional: [['bare', '$env:windir\\System32\\ras\\router.pbk'], ['string', '1.2.3.4'], ['string', 'RedialOnLinkFailure'], ['string', '1']],
      },
      { at: '69:3', name: 'Restart-Service', parameters: [], positional: [['bare', 'RemoteAccess']] },
      { at: '72:3', name: 'Connect-VpnS2SInterface', parameters: [['Name', 'bare', '1.2.3.4']], positional: [] },
      { at: '75:3', name: 'Add-BgpRouter', parameters: [['BgpIdentifier', 'string', '192.168.37.1'], ['LocalASN', 'number', 65032]], positional: [] },
      {
        at: '77:3', name: 'Add-bgppeer', positional: [],
        parameters: [['PeerName', 'string', 'AzureS2S'], ['PeerIPAddress', 'string', '10.3.1.254'], ['PeerASN', 'number', 65010], ['LocalIPAddress', 'bare', '192.168.37.1']],
      },
      { at: '79:3', name: 'Add-BgpCustomRoute', parameters: [['Interface', 'bare', 'LAN']], positional: [] },
    ]);
    assert.deepEqual(script.functions.map((f) => [f.name, f.parameters, f.origin.line, f.endLine]), [
      ['Invoke-WindowsApi', ['dllName', 'returnType', 'methodName', 'parameterTypes', 'parameters'], 6, 41],
      ['Set-PrivateProfileString', ['file', 'category', 'key', 'value'], 43, 55],
    ]);
    const inner = script.commands.filter((c) => c.within === 'Set-PrivateProfileString').map((c) => c.name);
    assert.deepEqual(inner, ['Invoke-WindowsApi']);
    const counter = script.assignments.find((a) => a.variable === 'counter');
    assert.deepEqual([counter?.within, counter?.value.literal, counter?.origin.line], ['Invoke-WindowsApi', 1, 23]);
  });

  it('reads literals of every kind, variables, switches written with a colon, and assignments', async () => {
    const script = await parsePowerShell([
      '$psk = \'it\'\'s\'',
      '$asn = 65010',
      '$subnets = @("10.0.0.0/16:100", "10.1.0.0/16:100")',
      '$tags = @{ Site = "lab"; Weight = 2 }',
      'Add-VpnS2SInterface -Name $name -IPv4Subnet 10.0.0.0/16:100,10.1.0.0/16:100 -SharedSecret "a$psk" -Persistent:$true -Size 2kb -Mask 0x10 -Calc (1+2) -Tags @{a=1} -Rate 1.5',
    ].join('\n'));
    assert.deepEqual(script.errors, []);
    assert.deepEqual(script.assignments.map((a) => [a.variable, a.value.kind, a.value.literal]), [
      ['psk', 'string', "it's"],
      ['asn', 'number', 65010],
      ['subnets', 'array', ['10.0.0.0/16:100', '10.1.0.0/16:100']],
      ['tags', 'hashtable', { Site: 'lab', Weight: 2 }],
    ]);
    const [command] = script.commands;
    assert.deepEqual(command!.parameters.map((p) => [p.name, p.value?.kind, p.value?.literal, p.value?.variable, p.colon]), [
      ['Name', 'variable', undefined, 'name', false],
      ['IPv4Subnet', 'array', ['10.0.0.0/16:100', '10.1.0.0/16:100'], undefined, false],
      ['SharedSecret', 'expression', undefined, undefined, false],
      ['Persistent', 'bool', true, undefined, true],
      ['Size', 'number', 2048, undefined, false],
      ['Mask', 'number', 16, undefined, false],
      ['Calc', 'expression', undefined, undefined, false],
      ['Tags', 'hashtable', { a: 1 }, undefined, false],
      ['Rate', 'number', 1.5, undefined, false],
    ]);
    assert.deepEqual(command!.parameters[1]!.value!.origin, { line: 5, column: 'Add-VpnS2SInterface -Name $name -IPv4Subnet '.length + 1 });
  });

  it('rebinds arguments once the switches are known: a switch takes no argument, the argument is positional', async () => {
    const [command] = (await parsePowerShell('Set-VpnS2SInterface -Force 1.2.3.4 -Name x')).commands;
    assert.deepEqual(command!.parameters.map((p) => [p.name, p.value?.literal]), [['Force', '1.2.3.4'], ['Name', 'x']]);
    const bound = bindArguments(command!.elements, (name) => name.toLowerCase() === 'force');
    assert.deepEqual(bound.parameters.map((p) => [p.name, p.value?.literal]), [['Force', undefined], ['Name', 'x']]);
    assert.deepEqual(bound.positional.map((v) => v.literal), ['1.2.3.4']);
  });

  it('counts columns in characters after text outside ASCII on the same line', async () => {
    const line = '<# 本地 #> Add-BgpRouter -LocalASN 65032';
    const [command] = (await parsePowerShell(`\n${line}`)).commands;
    assert.deepEqual(command!.origin, { line: 2, column: line.indexOf('Add') + 1 });
    assert.deepEqual(command!.parameters[0]!.value!.origin, { line: 2, column: line.indexOf('65032') + 1 });
  });

  it('reports what the grammar cannot read with its line and column, and keeps reading after it', async () => {
    const script = await parsePowerShell(['Add-BgpRouter -LocalASN 65032', 'Add-BgpPeer -PeerName ("x"', 'Connect-VpnS2SInterface -Name y'].join('\n'));
    assert.ok(script.errors.length > 0, 'an unclosed parenthesis is an error');
    const [first] = script.errors;
    assert.equal(first!.line, 2);
    assert.ok(first!.column >= 1);
    assert.ok(script.commands.some((c) => c.name === 'Add-BgpRouter'));
  });
});
