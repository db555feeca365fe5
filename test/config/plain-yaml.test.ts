import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DocumentSource } from '../../src/config/source.js';
import { ONE_SITE, scaleTopology, SPREAD } from '../../bench/check-scale/topology.js';

/*
 * A file with no anchors, aliases or tags is read by a strict YAML 1.2 core-schema parser without
 * positions (src/config/source.ts, plainData); whatever it gives must be exactly what the full
 * parser gives, for every example and for the scalar forms where YAML parsers are known to differ.
 */

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return f.endsWith('.yaml') || f.endsWith('.yml') ? [path] : [];
  });
}

const full = (text: string): unknown => parse(text, { uniqueKeys: false });

describe('plain YAML is read as the full parser reads it', () => {
  it('every example file and generated scale topology', () => {
    const files = yamlFiles('examples');
    assert.ok(files.length > 20);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      assert.deepEqual(new DocumentSource(f, text).data, full(text), f);
    }
    for (const shape of [SPREAD, ONE_SITE]) {
      const text = scaleTopology(1000, shape);
      assert.deepEqual(new DocumentSource('scale.yaml', text).data, full(text));
    }
  });

  it('scalars where YAML 1.1 and 1.2 parsers differ, block and flow styles, quoting and line ends', () => {
    const text = [
      'ints: [0x1F, 0o17, 017, +5, -0, 1_000, 12345678901234567890]',
      'floats: [1e3, 1.5, .5, .inf, -.Inf, .NaN, 6.8523015e+5]',
      'bools: [true, True, TRUE, false, yes, no, on, off, y, n]',
      'nulls: [~, null, Null, NULL, ]',
      'empty:',
      'dates: [2026-12-07, 2026-12-07T10:00:00Z, 12:30:45]',
      'strings: ["a\\tb\\u00e9", \'it\'\'s\', "10.3.1.254", 10.3.1.254, 1.2.3.4/32, "065010", 065010]',
      'keys:',
      '  10.3.1.254: { remote-as: 65010 }',
      '  65010: number key',
      '  "quoted key": 1',
      '  true: bool key',
      'block: |',
      '  line one',
      '    indented',
      '',
      'folded: >-',
      '  folded',
      '  text',
      'plain multi: this is',
      '  one string',
      '中文: 本地网段为 192.168.37.0/24 # a comment',
      'nested: [{a: [1, {b: c}]}, [x, [y]]]',
    ].join('\n');
    assert.deepEqual(new DocumentSource('edge.yaml', text).data, full(text));
    const crlf = 'name: a\r\nsites:\r\n  - name: b\r\n    platform: linux\r\n';
    assert.deepEqual(new DocumentSource('crlf.yaml', crlf).data, full(crlf));
  });

  it('what the plain reader refuses goes to the full parser, which reports it with its place', () => {
    const duplicate = 'name: a\nname: b\n';
    assert.deepEqual(new DocumentSource('dup.yaml', duplicate).syntaxProblems().map((p) => [p.line, p.column, p.message]), [[2, 1, 'Map keys must be unique']]);
    for (const text of ['a: &x foo\nb: *x\n', 'n: !!str 12\nm: !!int "7"\n', 'list: &l [1, 2]\nagain: *l\n']) {
      assert.deepEqual(new DocumentSource('alias.yaml', text).data, full(text), text);
    }
    const anchored = 'base: &b { x: 1 }\ncopy: *b\n';
    assert.deepEqual(new DocumentSource('alias.yaml', anchored).data, { base: { x: 1 }, copy: { x: 1 } });
    const bad = 'a: [1, 2\nb: 3\n';
    assert.ok(new DocumentSource('bad.yaml', bad).syntaxProblems().length > 0);
    const located = new DocumentSource('loc.yaml', 'name: a\nsites:\n  - name: b\n    platform: azure\n');
    assert.deepEqual(located.locate(['sites', 0, 'platform']), { line: 4, column: 15 });
  });
});
