// A minimal VS Code stand-in on the real protocol stack (vscode-jsonrpc + the LSP protocol
// package): it starts the Python server on stdio, answers the server's requests the way
// VS Code does, and applies WorkspaceEdits to disk.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import {
  ApplyWorkspaceEditRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  DocumentDiagnosticRequest,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowDocumentRequest,
  ShowMessageNotification,
  ShowMessageRequest,
  ShutdownRequest,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
  WorkspaceFoldersRequest,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Registration,
  type ShowDocumentParams,
  type ShowMessageParams,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { buildServerConfig } from '../../src/logic';
import { findOnPath } from '../../src/serverPath';
import { VSCODE_CLIENT_CAPABILITIES } from './vscodeCapabilities';

/** Bound on every wait, so a silent server fails/skips a step instead of hanging the run. */
export const WAIT_MS = Number(process.env.LOCKSTEP_E2E_WAIT_MS ?? 30000);

export type ServerCommand = { command: string; args: string[] } | { skip: string };

function hasModule(python: string, module: string): boolean {
  const code = `import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(${JSON.stringify(module)}) else 3)`;
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * `python3 -m lockstep` when server/lockstep/__main__.py exists, else `lockstep-lsp` on PATH when its
 * CLI module exists; a skip reason otherwise (the server is still being written).
 * LOCKSTEP_SERVER_COMMAND (a JSON array) overrides; LOCKSTEP_PYTHON picks the interpreter.
 */
export function findServerCommand(): ServerCommand {
  const override = process.env.LOCKSTEP_SERVER_COMMAND;
  if (override) {
    const [command, ...args] = JSON.parse(override) as string[];
    return { command: command!, args };
  }
  const python = process.env.LOCKSTEP_PYTHON || 'python3';
  if (hasModule(python, 'lockstep.__main__')) {
    return { command: python, args: ['-m', 'lockstep'] };
  }
  const exe = findOnPath('lockstep-lsp', {
    platform: process.platform,
    pathEnv: process.env.PATH,
    pathExt: process.env.PATHEXT,
    homeDir: os.homedir(),
    workspaceFolders: [],
    isExecutable: (f) => {
      try {
        fs.accessSync(f, fs.constants.X_OK);
        return fs.statSync(f).isFile();
      } catch {
        return false;
      }
    },
    exists: (f) => fs.existsSync(f),
  });
  if (exe !== undefined && hasModule(python, 'lockstep.cli')) {
    return { command: exe, args: [] };
  }
  return {
    skip:
      `no Lockstep server yet: ${python} has no lockstep.__main__ (server/lockstep/__main__.py) ` +
      `and ${exe === undefined ? 'lockstep-lsp is not on PATH' : 'lockstep.cli is missing'}`,
  };
}

/** editors/vscode, found from the compiled test's location (out/test/e2e or test/e2e). */
export function extensionRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) {
      throw new Error(`no package.json above ${__dirname}`);
    }
    dir = up;
  }
  return dir;
}

/** Copies the fixture monorepo to a fresh temp dir so the repository is never modified. */
export function copyFixture(): string {
  const src = path.join(extensionRoot(), 'test', 'fixture');
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-vscode-e2e-'));
  fs.cpSync(src, dst, { recursive: true });
  return dst;
}

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

interface OpenDoc {
  languageId: string;
  version: number;
  text: string;
}

/** UTF-16 offset of an LSP position (JS strings are UTF-16, so characters map 1:1). */
export function offsetAt(text: string, line: number, character: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl === -1) {
      return text.length;
    }
    offset = nl + 1;
  }
  let end = text.indexOf('\n', offset);
  if (end === -1) {
    end = text.length;
  } else if (end > offset && text[end - 1] === '\r') {
    end -= 1;
  }
  return Math.min(offset + character, end);
}

/** Applies non-overlapping TextEdits; same-position inserts keep their array order. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const withOffsets = edits.map((e, i) => ({
    start: offsetAt(text, e.range.start.line, e.range.start.character),
    end: offsetAt(text, e.range.end.line, e.range.end.character),
    newText: e.newText,
    i,
  }));
  withOffsets.sort((a, b) => b.start - a.start || b.i - a.i);
  let out = text;
  for (const e of withOffsets) {
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  }
  return out;
}

type Waiter = () => boolean;

export class Harness {
  readonly publishes: PublishDiagnosticsParams[] = [];
  readonly messages: ShowMessageParams[] = [];
  readonly showDocuments: ShowDocumentParams[] = [];
  readonly appliedEdits: WorkspaceEdit[] = [];
  readonly registrations: Registration[] = [];
  readonly configurationRequests: unknown[] = [];
  stderr = '';
  initializeResult!: InitializeResult;
  exitCode: number | null | undefined;
  private readonly docs = new Map<string, OpenDoc>();
  private waiters: Waiter[] = [];

  private constructor(
    readonly root: string,
    readonly proc: ChildProcessWithoutNullStreams,
    readonly conn: ProtocolConnection,
  ) {}

  static async start(server: { command: string; args: string[] }, root: string): Promise<Harness> {
    const proc = spawn(server.command, server.args, { cwd: root, stdio: 'pipe' });
    const conn = createProtocolConnection(
      new StreamMessageReader(proc.stdout),
      new StreamMessageWriter(proc.stdin),
    );
    const h = new Harness(root, proc, conn);
    proc.stderr.on('data', (d: Buffer) => {
      h.stderr += d.toString('utf8');
    });
    proc.on('exit', (code) => {
      h.exitCode = code;
      h.poke();
    });
    h.installHandlers();
    conn.listen();
    const exited = new Promise<never>((_, reject) =>
      proc.on('exit', (code) =>
        reject(new Error(`server exited (${code}) before answering initialize:\n${h.stderr}`)),
      ),
    );
    const spawnFailed = new Promise<never>((_, reject) => proc.on('error', reject));
    h.initializeResult = await Promise.race([
      conn.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        clientInfo: { name: 'Visual Studio Code', version: '1.85.0' },
        locale: 'en',
        rootPath: root,
        rootUri: uriOf(root),
        capabilities: VSCODE_CLIENT_CAPABILITIES,
        initializationOptions: buildServerConfig(() => undefined),
        trace: 'off',
        workspaceFolders: [{ uri: uriOf(root), name: path.basename(root) }],
      }),
      exited,
      spawnFailed,
    ]);
    await conn.sendNotification(InitializedNotification.type, {});
    return h;
  }

  private installHandlers(): void {
    const c = this.conn;
    c.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.publishes.push(p);
      this.poke();
    });
    c.onNotification(ShowMessageNotification.type, (p) => {
      this.messages.push(p);
      this.poke();
    });
    c.onNotification(LogMessageNotification.type, () => undefined);
    c.onNotification('$/progress', () => undefined);
    c.onNotification('$/logTrace', () => undefined);
    c.onNotification('telemetry/event', () => undefined);
    c.onRequest(ShowMessageRequest.type, (p) => {
      this.messages.push({ type: p.type, message: p.message });
      this.poke();
      return null; // the person dismissed it
    });
    c.onRequest(ShowDocumentRequest.type, (p) => {
      this.showDocuments.push(p);
      this.poke();
      return { success: true };
    });
    c.onRequest(ApplyWorkspaceEditRequest.type, (p) => {
      try {
        this.applyWorkspaceEdit(p.edit);
        this.appliedEdits.push(p.edit);
        this.poke();
        return { applied: true };
      } catch (err) {
        return { applied: false, failureReason: String(err) };
      }
    });
    c.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests.push(p);
      return p.items.map((item) => (item.section === 'lockstep' ? buildServerConfig(() => undefined) : null));
    });
    c.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
      this.poke();
    });
    c.onRequest(UnregistrationRequest.type, (p) => {
      const gone = new Set(p.unregisterations.map((u) => u.id));
      this.registrations.splice(0, this.registrations.length, ...this.registrations.filter((r) => !gone.has(r.id)));
    });
    c.onRequest(WorkDoneProgressCreateRequest.type, () => null);
    c.onRequest(WorkspaceFoldersRequest.type, () => [
      { uri: uriOf(this.root), name: path.basename(this.root) },
    ]);
    for (const refresh of [
      'workspace/diagnostic/refresh',
      'workspace/semanticTokens/refresh',
      'workspace/inlayHint/refresh',
      'workspace/inlineValue/refresh',
      'workspace/codeLens/refresh',
    ]) {
      c.onRequest(refresh, () => null);
    }
    // Anything else gets vscode-jsonrpc's MethodNotFound, as in VS Code without that feature.
  }

  private poke(): void {
    this.waiters = this.waiters.filter((w) => !w());
  }

  /** Resolves with `probe()`'s first defined value; rejects after WAIT_MS or server exit. */
  waitFor<T>(what: string, probe: () => T | undefined, ms = WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}\nserver stderr:\n${this.stderr}`));
      }, ms);
      const check: Waiter = () => {
        const v = probe();
        if (v !== undefined) {
          clearTimeout(timer);
          resolve(v);
          return true;
        }
        if (this.exitCode !== undefined) {
          clearTimeout(timer);
          reject(new Error(`server exited (${this.exitCode}) while waiting for ${what}\n${this.stderr}`));
          return true;
        }
        return false;
      };
      if (!check()) {
        this.waiters.push(check);
      }
    });
  }

  /** Diagnostics of the latest publish for `uri` at or after publish index `from`. */
  latestDiagnostics(uri: string, from = 0): Diagnostic[] | undefined {
    for (let i = this.publishes.length - 1; i >= from; i--) {
      if (sameUri(this.publishes[i]!.uri, uri)) {
        return this.publishes[i]!.diagnostics;
      }
    }
    return undefined;
  }

  /** Waits for a publish for `uri` (at or after index `from`) whose diagnostics satisfy `ok`. */
  waitForDiagnostics(uri: string, what: string, ok: (d: Diagnostic[]) => boolean, from = 0): Promise<Diagnostic[]> {
    let seen = from;
    return this.waitFor(what, () => {
      for (; seen < this.publishes.length; seen++) {
        const p = this.publishes[seen]!;
        if (sameUri(p.uri, uri) && ok(p.diagnostics)) {
          return p.diagnostics;
        }
      }
      return undefined;
    });
  }

  /** True when the server wants pull diagnostics (VS Code then asks instead of waiting). */
  usesPullDiagnostics(): boolean {
    return (
      this.initializeResult.capabilities.diagnosticProvider !== undefined ||
      this.registrations.some((r) => r.method === 'textDocument/diagnostic')
    );
  }

  /**
   * The document's diagnostics once they satisfy `ok`: pulled (textDocument/diagnostic) when the
   * server offers that, else from the publishDiagnostics notifications at or after index `from`.
   */
  async diagnostics(uri: string, what: string, ok: (d: Diagnostic[]) => boolean, from = 0): Promise<Diagnostic[]> {
    if (!this.usesPullDiagnostics()) {
      return this.waitForDiagnostics(uri, what, ok, from);
    }
    const report = await this.conn.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    const items = report.kind === 'full' ? report.items : [];
    if (!ok(items)) {
      throw new Error(`pulled diagnostics for ${uri} are not ${what}: ${JSON.stringify(items)}`);
    }
    return items;
  }

  serverCommands(): string[] {
    const fromInit = this.initializeResult.capabilities.executeCommandProvider?.commands ?? [];
    const dynamic = this.registrations
      .filter((r) => r.method === 'workspace/executeCommand')
      .flatMap((r) => (r.registerOptions as { commands?: string[] } | undefined)?.commands ?? []);
    return [...fromInit, ...dynamic];
  }

  async open(file: string, languageId: string): Promise<string> {
    const uri = uriOf(file);
    const text = fs.readFileSync(file, 'utf8');
    this.docs.set(uri, { languageId, version: 1, text });
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version: 1, text },
    });
    return uri;
  }

  text(uri: string): string {
    return this.docs.get(uri)?.text ?? fs.readFileSync(fileURLToPath(uri), 'utf8');
  }

  version(uri: string): number | undefined {
    return this.docs.get(uri)?.version;
  }

  /** Applies a WorkspaceEdit like VS Code: buffers of open documents (then saved), files on disk. */
  applyWorkspaceEdit(edit: WorkspaceEdit): void {
    const fileEvents: { uri: string; type: 1 | 2 | 3 }[] = [];
    const editText = (uri: string, version: number | null | undefined, edits: readonly TextEdit[]): void => {
      const doc = this.docs.get(uri);
      if (doc !== undefined && version !== null && version !== undefined && version !== doc.version) {
        throw new Error(`TextDocumentEdit for ${uri} at version ${version}, document is at ${doc.version}`);
      }
      const file = fileURLToPath(uri);
      if (doc === undefined && !fs.existsSync(file)) {
        throw new Error(`TextDocumentEdit for ${uri}, which does not exist`);
      }
      const next = applyTextEdits(doc?.text ?? fs.readFileSync(file, 'utf8'), edits);
      fs.writeFileSync(file, next);
      if (doc !== undefined) {
        doc.text = next;
        doc.version += 1;
        void this.conn.sendNotification(DidChangeTextDocumentNotification.type, {
          textDocument: { uri, version: doc.version },
          contentChanges: [{ text: next }],
        });
        void this.conn.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
      } else {
        fileEvents.push({ uri, type: 2 });
      }
    };
    for (const change of edit.documentChanges ?? []) {
      if ('kind' in change) {
        if (change.kind === 'create') {
          const file = fileURLToPath(change.uri);
          if (fs.existsSync(file)) {
            if (change.options?.overwrite) {
              fs.writeFileSync(file, '');
            } else if (!change.options?.ignoreIfExists) {
              throw new Error(`CreateFile ${change.uri}: file exists`);
            }
          } else {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, '');
            fileEvents.push({ uri: change.uri, type: 1 });
          }
        } else if (change.kind === 'rename') {
          const from = fileURLToPath(change.oldUri);
          const to = fileURLToPath(change.newUri);
          if (fs.existsSync(to) && !change.options?.overwrite) {
            if (change.options?.ignoreIfExists) {
              continue;
            }
            throw new Error(`RenameFile to ${change.newUri}: target exists`);
          }
          fs.renameSync(from, to);
          fileEvents.push({ uri: change.oldUri, type: 3 }, { uri: change.newUri, type: 1 });
        } else {
          const file = fileURLToPath(change.uri);
          if (!fs.existsSync(file)) {
            if (change.options?.ignoreIfNotExists) {
              continue;
            }
            throw new Error(`DeleteFile ${change.uri}: no such file`);
          }
          fs.rmSync(file, { recursive: change.options?.recursive ?? false });
          fileEvents.push({ uri: change.uri, type: 3 });
        }
      } else {
        editText(change.textDocument.uri, change.textDocument.version, change.edits);
      }
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
      editText(uri, undefined, edits);
    }
    if (fileEvents.length > 0) {
      void this.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: fileEvents });
    }
  }

  /** shutdown + exit; resolves with the exit code. */
  async shutdown(): Promise<number | null> {
    if (this.exitCode === undefined) {
      await this.conn.sendRequest(ShutdownRequest.type);
      await this.conn.sendNotification(ExitNotification.type);
      await this.waitFor('the server to exit after shutdown/exit', () =>
        this.exitCode === undefined ? undefined : true,
      );
    }
    return this.exitCode ?? null;
  }

  /** Last resort cleanup: kills only the server process this harness started. */
  dispose(): void {
    this.conn.dispose();
    if (this.exitCode === undefined) {
      this.proc.kill();
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export function sameUri(a: string, b: string): boolean {
  const norm = (u: string): string => {
    try {
      return fileURLToPath(u);
    } catch {
      return u;
    }
  };
  return a === b || norm(a) === norm(b);
}
