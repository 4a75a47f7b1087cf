import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandSettingPath, findOnPath, resolveServer, type ResolveEnv } from '../../src/serverPath';

/** A fake machine: `files` are executable files, `plain` exist but are not executable. */
function env(files: string[], over: Partial<ResolveEnv> = {}, plain: string[] = []): ResolveEnv {
  const exe = new Set(files);
  return {
    platform: 'linux',
    pathEnv: '/usr/local/bin:/usr/bin',
    homeDir: '/home/me',
    workspaceFolders: ['/ws'],
    isExecutable: (f) => exe.has(f),
    exists: (f) => exe.has(f) || plain.includes(f),
    ...over,
  };
}

const noSetting = { path: '', args: [] };

describe('resolveServer', () => {
  it('prefers lockstep.server.path, with args', async () => {
    const r = await resolveServer(
      { path: '/opt/ls/bin/lockstep-lsp', args: ['--verbose'] },
      env(['/opt/ls/bin/lockstep-lsp', '/usr/bin/lockstep-lsp']),
    );
    assert.ok(r.ok);
    assert.deepEqual(r.server, {
      command: '/opt/ls/bin/lockstep-lsp',
      args: ['--verbose'],
      cwd: '/ws',
      source: 'setting',
    });
  });

  it('expands ${workspaceFolder} and relative setting paths against the first folder', async () => {
    const e = env(['/ws/tools/lockstep-lsp']);
    for (const p of ['${workspaceFolder}/tools/lockstep-lsp', 'tools/lockstep-lsp', './tools/lockstep-lsp']) {
      const r = await resolveServer({ path: p, args: [] }, e);
      assert.ok(r.ok, p);
      assert.equal(r.server.command, '/ws/tools/lockstep-lsp');
    }
  });

  it('expands ~ in the setting', () => {
    assert.equal(expandSettingPath('~/bin/lockstep-lsp', env([])), '/home/me/bin/lockstep-lsp');
  });

  it('looks a bare command name in the setting up on PATH', async () => {
    const r = await resolveServer({ path: 'my-lockstep', args: [] }, env(['/usr/bin/my-lockstep']));
    assert.ok(r.ok);
    assert.equal(r.server.command, '/usr/bin/my-lockstep');
  });

  it('reports a setting that points nowhere instead of silently running something else', async () => {
    const r = await resolveServer({ path: '/nope/lockstep-lsp', args: [] }, env(['/usr/bin/lockstep-lsp']));
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.message, /lockstep\.server\.path/);
    assert.match(r.ok ? '' : r.message, /scripts\/install --link/);
  });

  it('prefers the workspace .venv over PATH', async () => {
    const r = await resolveServer(noSetting, env(['/usr/bin/lockstep-lsp', '/ws/.venv/bin/lockstep-lsp']));
    assert.ok(r.ok);
    assert.equal(r.server.command, '/ws/.venv/bin/lockstep-lsp');
    assert.equal(r.server.source, 'venv');
    assert.deepEqual(r.server.args, []);
  });

  it('never runs an untrusted workspace\'s .venv', async () => {
    const files = ['/usr/bin/lockstep-lsp', '/ws/.venv/bin/lockstep-lsp'];
    const r = await resolveServer(noSetting, { ...env(files), trusted: false });
    assert.ok(r.ok);
    assert.equal(r.server.command, '/usr/bin/lockstep-lsp');
    assert.equal(r.server.source, 'path');
  });

  it('finds lockstep-lsp on PATH when the workspace has no venv', async () => {
    const r = await resolveServer(noSetting, env(['/usr/bin/lockstep-lsp']));
    assert.ok(r.ok);
    assert.equal(r.server.command, '/usr/bin/lockstep-lsp');
    assert.equal(r.server.source, 'path');
  });

  it('falls back to .venv then venv in the workspace', async () => {
    let r = await resolveServer(noSetting, env(['/ws/.venv/bin/lockstep-lsp', '/ws/venv/bin/lockstep-lsp']));
    assert.ok(r.ok);
    assert.equal(r.server.command, '/ws/.venv/bin/lockstep-lsp');
    r = await resolveServer(noSetting, env(['/ws/venv/bin/lockstep-lsp']));
    assert.ok(r.ok);
    assert.equal(r.server.command, '/ws/venv/bin/lockstep-lsp');
    assert.equal(r.server.source, 'venv');
  });

  it('uses the Python extension interpreter with -m lockstep', async () => {
    const r = await resolveServer(
      { path: '', args: ['--x'] },
      env([], { pythonInterpreter: async () => '/py/bin/python3.11' }, ['/py/bin/python3.11']),
    );
    assert.ok(r.ok);
    assert.deepEqual(r.server.args, ['-m', 'lockstep', '--x']);
    assert.equal(r.server.command, '/py/bin/python3.11');
    assert.equal(r.server.source, 'python-module');
  });

  it('ignores a Python extension interpreter that does not exist, then tries .venv/bin/python', async () => {
    const r = await resolveServer(
      noSetting,
      env(['/ws/.venv/bin/python'], { pythonInterpreter: async () => '/gone/python' }),
    );
    assert.ok(r.ok);
    assert.equal(r.server.command, '/ws/.venv/bin/python');
    assert.deepEqual(r.server.args, ['-m', 'lockstep']);
  });

  it('gives an actionable error when nothing is found', async () => {
    const r = await resolveServer(noSetting, env([], { pythonInterpreter: async () => undefined }));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.message, /`scripts\/install --link`/);
      assert.match(r.message, /`pipx install \/path\/to\/lockstep`/);
      assert.doesNotMatch(r.message, /pip install lockstep-lsp/);
      assert.ok(r.tried.includes('lockstep-lsp on PATH'));
      assert.ok(r.tried.includes('/ws/.venv/bin/lockstep-lsp'));
    }
  });

  it('handles Windows PATHEXT and Scripts folders', async () => {
    const win = env(['C:\\tools\\lockstep-lsp.exe'], {
      platform: 'win32',
      pathEnv: 'C:\\Windows;C:\\tools',
      pathExt: '.COM;.EXE',
      workspaceFolders: ['C:\\ws'],
    });
    assert.equal(findOnPath('lockstep-lsp', win), 'C:\\tools\\lockstep-lsp.exe');
    const venv = { ...win, pathEnv: '', isExecutable: (f: string) => f === 'C:\\ws\\.venv\\Scripts\\lockstep-lsp.exe' };
    const r = await resolveServer(noSetting, venv);
    assert.ok(r.ok);
    assert.equal(r.server.command, 'C:\\ws\\.venv\\Scripts\\lockstep-lsp.exe');
  });

  it('works with no workspace folder and no PATH', async () => {
    const r = await resolveServer(noSetting, env([], { workspaceFolders: [], pathEnv: undefined }));
    assert.equal(r.ok, false);
  });
});
