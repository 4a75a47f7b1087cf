import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildNewMigrationArgs,
  buildServerConfig,
  consumerQuickPickEntries,
  consumersRequest,
  groupConsumers,
  parseConsumers,
  SETTINGS,
  tablesFromSymbols,
  validateDescription,
  type ConsumerLocation,
} from '../../src/logic';
import { extensionRoot } from '../e2e/harness';

const range = (line: number) => ({ start: { line, character: 2 }, end: { line, character: 9 } });
const loc = (category: string, uri: string, line: number): ConsumerLocation => ({ category, uri, range: range(line) });

describe('new migration arguments', () => {
  it('validates the description', () => {
    assert.equal(validateDescription('add mood to wins'), undefined);
    assert.ok(validateDescription(''));
    assert.ok(validateDescription('   '));
    assert.ok(validateDescription('two\nlines'));
  });

  it('leaves sql out without a selection', () => {
    assert.deepEqual(buildNewMigrationArgs('  add mood ', undefined), [{ description: 'add mood' }]);
    assert.deepEqual(buildNewMigrationArgs('add mood', ''), [{ description: 'add mood' }]);
    assert.deepEqual(buildNewMigrationArgs('add mood', ' \n\t'), [{ description: 'add mood' }]);
  });

  it('passes a non-empty selection verbatim as sql', () => {
    const sql = 'ALTER TABLE wins ADD COLUMN mood TEXT;\r\n';
    assert.deepEqual(buildNewMigrationArgs('add mood', sql), [{ description: 'add mood', sql }]);
  });

  it('names the active file, whose project gets the migration', () => {
    const uri = 'file:///repo/apps/a/src/notes.ts';
    assert.deepEqual(buildNewMigrationArgs('add mood', undefined, uri), [{ description: 'add mood', uri }]);
  });
});

describe('tables from workspace/symbol', () => {
  it('keeps Struct and Class symbols, unique and sorted', () => {
    const symbols = [
      { name: 'wins', kind: 23 },
      { name: 'sessions', kind: 5 },
      { name: 'wins', kind: 23 },
      { name: 'idx_wins_user_id', kind: 14 },
      { name: 'user_id', kind: 8 },
    ];
    assert.deepEqual(tablesFromSymbols(symbols), ['sessions', 'wins']);
    assert.deepEqual(tablesFromSymbols(null), []);
  });
});

describe('consumers', () => {
  const answer = [
    loc('hook', 'file:///ws/apps/web/src/hooks/useWins.ts', 4),
    loc('api-route', 'file:///ws/apps/web/src/app/api/wins/route.ts', 9),
    loc('hook', 'file:///ws/apps/web/src/hooks/useA.ts', 1),
    loc('api-route', 'file:///ws/apps/web/src/app/api/wins/route.ts', 3),
  ];

  it('parses the lockstep.consumers answer and rejects wrong shapes', () => {
    assert.deepEqual(parseConsumers(answer), answer);
    assert.deepEqual(parseConsumers(null), []);
    assert.throws(() => parseConsumers({}), /expected an array/);
    assert.throws(() => parseConsumers([{ category: 'x', uri: 'file:///a' }]), /item 0/);
  });

  it('groups by category in first-seen order, sorted inside', () => {
    const groups = groupConsumers(answer);
    assert.deepEqual(
      groups.map((g) => g.category),
      ['hook', 'api-route'],
    );
    assert.deepEqual(
      groups[0]!.locations.map((l) => l.uri),
      ['file:///ws/apps/web/src/hooks/useA.ts', 'file:///ws/apps/web/src/hooks/useWins.ts'],
    );
    assert.deepEqual(
      groups[1]!.locations.map((l) => l.range.start.line),
      [3, 9],
    );
  });

  it('builds quick-pick entries with a separator per category and 1-based lines', () => {
    const entries = consumerQuickPickEntries(groupConsumers(answer), (u) => u.replace('file:///ws/', ''));
    assert.deepEqual(
      entries.map((e) => e.label),
      ['hook (2)', 'useA.ts:2', 'useWins.ts:5', 'api-route (2)', 'route.ts:4', 'route.ts:10'],
    );
    const first = entries[1]!;
    assert.equal(first.kind, 'item');
    assert.equal(first.kind === 'item' ? first.description : '', 'apps/web/src/hooks/useA.ts');
  });
});

describe('consumers request', () => {
  it('accepts nothing, a table name or the code lens argument', () => {
    assert.deepEqual(consumersRequest(undefined), {});
    assert.deepEqual(consumersRequest('  wins '), { table: 'wins' });
    assert.deepEqual(
      consumersRequest({ table: 'wins', uri: 'file:///x.sql', position: { line: 3, character: 0 } }),
      { table: 'wins', uri: 'file:///x.sql', position: { line: 3, character: 0 } },
    );
    assert.deepEqual(consumersRequest({ table: 'wins', uri: 'file:///x.sql' }), { table: 'wins' });
  });
});

describe('server configuration', () => {
  it('omits unset settings so lockstep.toml stays in charge', () => {
    const defaults: Record<string, unknown> = { 'migrations.paths': [], 'types.path': '', rules: {} };
    assert.deepEqual(buildServerConfig((k) => defaults[k]), {});
  });

  it('shapes settings like lockstep.toml and drops invalid severities', () => {
    const s: Record<string, unknown> = {
      'migrations.paths': ['db/migrations', ''],
      'types.path': ' packages/db/src ',
      rules: { 'rls-disabled': 'error', 'migration-missing-comment': 'off', bogus: 'loud', n: 3 },
    };
    assert.deepEqual(buildServerConfig((k) => s[k]), {
      migrations: { paths: ['db/migrations'] },
      types: { path: 'packages/db/src' },
      rules: { 'rls-disabled': 'error', 'migration-missing-comment': 'off' },
    });
  });

  it('sends every lockstep.toml setting, unset ones left out', () => {
    const s: Record<string, unknown> = {
      'types.index': 'src/index.ts', 'types.style': 'generated', 'types.map': { Win: 'wins', n: 1 },
      'consumers.categories': { hook: ['**/use*.ts'], bad: 3 }, 'rls.exposedSchemas': ['public', 'api'],
      'conventions.toney': false, 'conventions.supabaseCli': null, 'files.maxSizeKib': 0,
      'deploy.targets': [{ name: 'DEV', project_ref: 'abc' }, { name: 'x' }],
    };
    assert.deepEqual(buildServerConfig((k) => s[k]), {
      types: { index: 'src/index.ts', style: 'generated', map: { Win: 'wins' } },
      consumers: { categories: { hook: ['**/use*.ts'] } },
      rls: { exposed_schemas: ['public', 'api'] },
      conventions: { toney: false },
      deploy: { targets: [{ name: 'DEV', project_ref: 'abc' }] },
    });
  });
});

describe('package.json manifest', () => {
  const pkg = JSON.parse(readFileSync(join(extensionRoot(), 'package.json'), 'utf8'));

  it('activates on Supabase migrations and lockstep.toml', () => {
    assert.deepEqual(pkg.activationEvents, [
      'workspaceContains:supabase/migrations',
      'workspaceContains:**/supabase/config.toml',
      'workspaceContains:**/lockstep.toml',
    ]);
    assert.equal(pkg.main, './dist/extension.js');
    assert.match(pkg.engines.vscode, /^\^1\.85/);
  });

  it('contributes client commands whose ids differ from the server commands', () => {
    const ids: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
    assert.deepEqual(ids.sort(), ['lockstep.newMigrationInteractive', 'lockstep.restartServer', 'lockstep.showConsumers']);
    assert.ok(!ids.includes('lockstep.newMigration'));
    assert.ok(!ids.includes('lockstep.consumers'));
  });

  it('contributes every setting the client reads', () => {
    const props = Object.keys(pkg.contributes.configuration.properties).sort();
    const sent = SETTINGS.map(([setting]) => `lockstep.${setting}`);
    assert.deepEqual(props, [
      ...sent, 'lockstep.rules', 'lockstep.server.args', 'lockstep.server.path', 'lockstep.trace.server',
    ].sort());
  });

  it('keeps the server command out of a workspace\'s hands', () => {
    const props = pkg.contributes.configuration.properties;
    assert.equal(props['lockstep.server.path'].scope, 'machine');
    assert.equal(props['lockstep.server.args'].scope, 'machine');
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    assert.deepEqual(untrusted.restrictedConfigurations, ['lockstep.server.path', 'lockstep.server.args']);
  });
});
