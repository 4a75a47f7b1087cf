// The e2e test client applies the server's edits itself: its position math must match VS Code's
// (UTF-16 code units, CRLF lines, clamping past the end of a line).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { applyTextEdits, offsetAt } from '../e2e/harness';

const at = (line: number, character: number) => ({ line, character });
const edit = (sl: number, sc: number, el: number, ec: number, newText: string) => ({
  range: { start: at(sl, sc), end: at(el, ec) },
  newText,
});

it('maps positions to UTF-16 offsets across LF and CRLF lines', () => {
  const text = 'a😀b\r\nsecond\nthird';
  assert.equal(offsetAt(text, 0, 3), 3); // after the surrogate pair
  assert.equal(offsetAt(text, 0, 99), 4); // clamped before \r\n
  assert.equal(offsetAt(text, 1, 0), 6);
  assert.equal(offsetAt(text, 2, 5), text.length);
  assert.equal(offsetAt(text, 9, 0), text.length);
});

it('applies non-overlapping edits, keeping same-position inserts in order', () => {
  const text = 'id UUID PRIMARY KEY\n  win_id UUID\n';
  const out = applyTextEdits(text, [
    edit(0, 19, 0, 19, ','),
    edit(1, 2, 1, 8, 'win'),
    edit(0, 0, 0, 0, '-- a\n'),
    edit(0, 0, 0, 0, '-- b\n'),
  ]);
  assert.equal(out, '-- a\n-- b\nid UUID PRIMARY KEY,\n  win UUID\n');
});
