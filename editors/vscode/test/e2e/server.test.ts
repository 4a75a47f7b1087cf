// End to end: the real Python server driven over stdio the way VS Code drives it. Steps whose
// server feature does not exist yet are skipped with the reason; wrong answers fail.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CodeActionRequest,
  CodeActionResolveRequest,
  ExecuteCommandRequest,
  WorkspaceSymbolRequest,
  type CodeAction,
  type Command,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import {
  parseConsumers,
  SERVER_COMMAND_CONSUMERS,
  SERVER_COMMAND_NEW_MIGRATION,
  tablesFromSymbols,
} from '../../src/logic';
import { copyFixture, findServerCommand, Harness, sameUri, uriOf } from './harness';

const SYNTAX = 'migration-syntax-error';
const server = findServerCommand();

describe('Lockstep server over the VS Code protocol stack', () => {
  let h: Harness | undefined;
  let skipAll = 'skip' in server ? server.skip : undefined;
  let brokenUri = '';
  let brokenDiagnostics: Diagnostic[] = [];

  before(async () => {
    if ('skip' in server) {
      return;
    }
    const root = copyFixture();
    try {
      h = await Harness.start(server, root);
    } catch (err) {
      fs.rmSync(root, { recursive: true, force: true });
      // The server is written concurrently: a lockstep module it imports may not exist yet.
      const missing = /(No module named '(lockstep[\w.]*)'|cannot import name '\w+' from (?:partially initialized module )?'(lockstep[\w.]*)')/.exec(String(err));
      if (missing === null) {
        throw err;
      }
      skipAll = `server not complete yet: ${missing[1]}`;
    }
  });

  after(() => {
    h?.dispose();
  });

  /** The harness, or undefined after marking the test skipped. */
  function ready(t: TestContext): Harness | undefined {
    if (skipAll !== undefined || h === undefined) {
      t.skip(skipAll ?? 'server did not start');
      return undefined;
    }
    return h;
  }

  it('initializes with VS Code client capabilities', (t) => {
    const s = ready(t);
    if (!s) return;
    const caps = s.initializeResult.capabilities;
    assert.ok(caps.textDocumentSync !== undefined, 'server declares no textDocumentSync');
    if (caps.positionEncoding !== undefined) {
      assert.equal(caps.positionEncoding, 'utf-16', 'VS Code only offers utf-16');
    }
  });

  it(`publishes ${SYNTAX} for a migration with a syntax error`, async (t) => {
    const s = ready(t);
    if (!s) return;
    const file = path.join(s.root, 'supabase', 'migrations', '002_broken.sql');
    const from = s.publishes.length;
    brokenUri = await s.open(file, 'sql');
    let diags: Diagnostic[];
    try {
      diags = await s.diagnostics(brokenUri, `diagnostics for 002_broken.sql`, () => true, from);
    } catch (err) {
      if (s.publishes.length === 0 && s.exitCode === undefined && !s.usesPullDiagnostics()) {
        t.skip('server published no diagnostics at all: diagnostics not implemented yet');
        return;
      }
      throw err;
    }
    if (!diags.some((d) => d.code === SYNTAX)) {
      // A first publish may predate the parse (e.g. a workspace scan); wait for the real one.
      diags = await s.diagnostics(
        brokenUri,
        `a ${SYNTAX} diagnostic for 002_broken.sql (last: ${JSON.stringify(diags)})`,
        (ds) => ds.some((d) => d.code === SYNTAX),
        from,
      );
    }
    brokenDiagnostics = diags;
    const syntax = diags.filter((d) => d.code === SYNTAX);
    assert.equal(syntax.length, 1, `exactly one syntax error expected: ${JSON.stringify(syntax)}`);
    const d = syntax[0]!;
    // The missing comma is before `win_id` on line 5 (0-based), inside CREATE TABLE (lines 3-7).
    assert.ok(d.range.start.line >= 3 && d.range.start.line <= 7, `range outside the broken statement: ${JSON.stringify(d.range)}`);
    assert.ok(d.severity === undefined || d.severity === 1, `a syntax error should be an error, got ${d.severity}`);
    assert.ok(d.message.length > 0);
  });

  it('applies a quick fix and its diagnostic goes away', async (t) => {
    const s = ready(t);
    if (!s) return;
    if (!s.initializeResult.capabilities.codeActionProvider) {
      t.skip('server declares no codeActionProvider');
      return;
    }
    const diags = brokenDiagnostics;
    if (diags.length === 0) {
      t.skip('no diagnostics on 002_broken.sql to fix');
      return;
    }
    const resolvable =
      typeof s.initializeResult.capabilities.codeActionProvider === 'object' &&
      s.initializeResult.capabilities.codeActionProvider.resolveProvider === true;
    let chosen: { action: CodeAction; target: Diagnostic } | undefined;
    for (const d of diags) {
      const overlapping = diags.filter((o) => o.range.start.line <= d.range.end.line && o.range.end.line >= d.range.start.line);
      const result = await s.conn.sendRequest(CodeActionRequest.type, {
        textDocument: { uri: brokenUri },
        range: d.range,
        context: { diagnostics: overlapping, triggerKind: 1 },
      });
      for (const item of result ?? []) {
        if (typeof (item as Command).command === 'string' && !('kind' in item) && !('edit' in item)) {
          continue; // a bare Command is not a quick fix
        }
        let action = item as CodeAction;
        if (!action.kind?.startsWith('quickfix') || action.disabled) {
          continue;
        }
        if (action.edit === undefined && action.command === undefined && resolvable) {
          action = await s.conn.sendRequest(CodeActionResolveRequest.type, action);
        }
        if (action.edit !== undefined || action.command !== undefined) {
          chosen = { action, target: action.diagnostics?.[0] ?? d };
          break;
        }
      }
      if (chosen) break;
    }
    if (!chosen) {
      t.skip(`no quick fix offered for ${diags.map((d) => d.code).join(', ')}`);
      return;
    }
    const { action, target } = chosen;
    const count = (ds: Diagnostic[]): number => ds.filter((x) => x.code === target.code).length;
    const before = count(diags);
    const from = s.publishes.length;
    const editedBefore = s.appliedEdits.length;
    if (action.edit !== undefined) {
      s.applyWorkspaceEdit(action.edit);
    }
    if (action.command !== undefined) {
      await s.conn.sendRequest(ExecuteCommandRequest.type, {
        command: action.command.command,
        arguments: action.command.arguments,
      });
    }
    assert.ok(
      action.edit !== undefined || s.appliedEdits.length > editedBefore,
      `quick fix "${action.title}" changed nothing`,
    );
    await s.diagnostics(
      brokenUri,
      `${target.code} to go away after "${action.title}" (before: ${before})`,
      (ds) => count(ds) < before,
      from,
    );
  });

  it(`${SERVER_COMMAND_NEW_MIGRATION} creates the next migration without overwriting`, async (t) => {
    const s = ready(t);
    if (!s) return;
    if (!s.serverCommands().includes(SERVER_COMMAND_NEW_MIGRATION)) {
      t.skip(`server does not register ${SERVER_COMMAND_NEW_MIGRATION} (has: ${s.serverCommands().join(', ') || 'none'})`);
      return;
    }
    const migrations = path.join(s.root, 'supabase', 'migrations');
    const run = async (): Promise<{ uri: string; file: string }> => {
      const edits = s.appliedEdits.length;
      const shown = s.showDocuments.length;
      const result: unknown = await s.conn.sendRequest(ExecuteCommandRequest.type, {
        command: SERVER_COMMAND_NEW_MIGRATION,
        arguments: [{ description: 'add note to wins', sql: 'ALTER TABLE wins ADD COLUMN note TEXT;\n' }],
      });
      assert.equal(typeof result, 'string', `expected the new file's URI, got ${JSON.stringify(result)}`);
      const uri = result as string;
      const file = fileURLToPath(uri);
      assert.equal(path.dirname(file), migrations, `created outside supabase/migrations: ${file}`);
      const created = s.appliedEdits
        .slice(edits)
        .flatMap((e) => e.documentChanges ?? [])
        .find((c) => 'kind' in c && c.kind === 'create' && sameUri(c.uri, uri));
      assert.ok(created, `no workspace/applyEdit with a CreateFile for ${uri}`);
      assert.ok(created !== undefined && 'kind' in created && created.kind === 'create');
      assert.ok(created.options?.overwrite !== true, 'CreateFile must never overwrite');
      assert.ok(fs.existsSync(file), `${file} was not created`);
      await s.waitFor(`window/showDocument for ${uri}`, () =>
        s.showDocuments.slice(shown).some((d) => sameUri(d.uri, uri)) ? true : undefined,
      );
      return { uri, file };
    };

    const first = await run();
    assert.match(path.basename(first.file), /^003_[a-z0-9_]+\.sql$/, 'next after 002 is 003');
    assert.match(fs.readFileSync(first.file, 'utf8'), /note/i, 'the given SQL is in the file');
    await s.waitFor('the deployment reminder (window/showMessage mentioning PROD)', () =>
      s.messages.some((m) => /prod/i.test(m.message)) ? true : undefined,
    );

    const second = await run();
    assert.notEqual(second.file, first.file, 'a second migration must not reuse the first one');
    assert.match(path.basename(second.file), /^004_/, 'then 004');
    assert.match(fs.readFileSync(first.file, 'utf8'), /note/i, 'the first file was not overwritten');
  });

  it(`${SERVER_COMMAND_CONSUMERS} lists the API route reading wins`, async (t) => {
    const s = ready(t);
    if (!s) return;
    if (!s.serverCommands().includes(SERVER_COMMAND_CONSUMERS)) {
      t.skip(`server does not register ${SERVER_COMMAND_CONSUMERS}`);
      return;
    }
    const raw: unknown = await s.conn.sendRequest(ExecuteCommandRequest.type, {
      command: SERVER_COMMAND_CONSUMERS,
      arguments: [{ table: 'wins' }],
    });
    const consumers = parseConsumers(raw);
    const route = uriOf(path.join(s.root, 'apps', 'web', 'src', 'app', 'api', 'wins', 'route.ts'));
    const hit = consumers.find((c) => sameUri(c.uri, route));
    assert.ok(hit, `route.ts missing from ${JSON.stringify(consumers)}`);
    assert.equal(hit!.range.start.line, 5, "the .from('wins') call is on line 5 (0-based)");
    assert.ok(hit!.category.length > 0);
  });

  it('workspace/symbol lists the tables the consumers picker offers', async (t) => {
    const s = ready(t);
    if (!s) return;
    if (!s.initializeResult.capabilities.workspaceSymbolProvider) {
      t.skip('server declares no workspaceSymbolProvider (the picker falls back to an input box)');
      return;
    }
    const symbols = await s.conn.sendRequest(WorkspaceSymbolRequest.type, { query: '' });
    const tables = tablesFromSymbols(symbols ?? []);
    if (tables.length === 0) {
      t.skip('no Struct/Class symbols returned (the picker falls back to an input box)');
      return;
    }
    const has = (n: string): boolean => tables.some((x) => x === n || x.endsWith(`.${n}`));
    assert.ok(has('wins') && has('sessions'), `tables: ${tables.join(', ')}`);
  });

  it('shuts down cleanly on shutdown + exit', async (t) => {
    const s = ready(t);
    if (!s) return;
    const code = await s.shutdown();
    assert.equal(code, 0, `exit code ${code}\n${s.stderr}`);
    skipAll = 'server was shut down';
  });
});
