// The esbuild bundle loads outside VS Code's extension host (with `vscode` stubbed) and exports
// the two entry points VS Code calls: catches a broken bundle before it reaches a .vsix.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { it } from 'node:test';
import { extensionRoot } from '../e2e/harness';

function stub(): unknown {
  const store: Record<string | symbol, unknown> = {};
  const target = function () {} as unknown as object;
  return new Proxy(target, {
    get: (t, prop) => {
      if (prop === 'prototype') return (t as { prototype: unknown }).prototype;
      if (!(prop in store)) store[prop] = stub();
      return store[prop];
    },
    apply: () => stub(),
    construct: () => stub() as object,
  });
}

it('dist/extension.js loads and exports activate/deactivate', (t) => {
  const bundle = join(extensionRoot(), 'dist', 'extension.js');
  if (!existsSync(bundle)) {
    t.skip('dist/extension.js not built (npm run build)');
    return;
  }
  const loader = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  const vscode = stub();
  loader._load = function (req: string, ...rest: unknown[]) {
    return req === 'vscode' ? vscode : original.call(this, req, ...rest);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ext = require(bundle) as { activate?: unknown; deactivate?: unknown };
    assert.equal(typeof ext.activate, 'function');
    assert.equal(typeof ext.deactivate, 'function');
  } finally {
    loader._load = original;
  }
});
