import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundText, describeValue, escapeControls, showValue } from '../../src/config/display.js';

describe('how config messages show text from a file', () => {
  it('escapes C0 and C1 controls, DEL, line separators and bidi overrides; leaves other text alone', () => {
    assert.equal(escapeControls('a\u001b[2Jb\u0000c\u0007d\n\r\te'), 'a\\x1b[2Jb\\0c\\x07d\\n\\r\\te');
    assert.equal(escapeControls('\u009b31m\u007f'), '\\x9b31m\\x7f');
    assert.equal(escapeControls('x\u202ey\u2066z\u2028'), 'x\\u202ey\\u2066z\\u2028');
    assert.equal(escapeControls('Überprüfung 東京 ~`!@#'), 'Überprüfung 東京 ~`!@#');
  });

  it('cuts long text with its length told, never inside a surrogate pair', () => {
    assert.equal(boundText('abcdef', 4), 'abcd… (6 characters)');
    assert.equal(boundText('abc😀def', 4), 'abc… (8 characters)');
    assert.equal(boundText('abc', 4), 'abc');
  });

  it('secrets show their kind and length only; collections their size only', () => {
    assert.equal(showValue('hunter2', true), '<secret, 7 characters>');
    assert.equal(showValue(31415926535897, true), '<secret number>');
    assert.equal(describeValue(31415926535897, true), 'a number (a secret: not shown)');
    assert.equal(showValue(['a', 'b']), 'a list of 2 items');
    assert.equal(showValue({ psk: 'x' }), 'a mapping');
    assert.equal(showValue([]), '[]');
    assert.equal(showValue('x'.repeat(100)), `'${'x'.repeat(60)}… (100 characters)'`);
  });
});
