// Lockstep for VS Code: a thin client. All analysis lives in the Python server (lockstep-lsp);
// this file finds it, starts it, and wires three commands to its executeCommand endpoints.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
  WorkspaceSymbolRequest,
} from 'vscode-languageclient/node';
import {
  buildNewMigrationArgs,
  buildServerConfig,
  consumerQuickPickEntries,
  consumersRequest,
  groupConsumers,
  parseConsumers,
  SERVER_COMMAND_CONSUMERS,
  SERVER_COMMAND_NEW_MIGRATION,
  tablesFromSymbols,
  validateDescription,
  type ConsumerLocation,
} from './logic';
import { resolveServer, type ResolveEnv } from './serverPath';

const CLIENT_ID = 'lockstep';
const CLIENT_NAME = 'Lockstep';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'sql' },
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'typescriptreact' },
  { scheme: 'file', pattern: '**/lockstep.toml' },
];

export const WATCHED_GLOBS = [
  '**/migrations/**/*.sql',
  '**/supabase/config.toml',
  '**/*.{ts,tsx}',
  '**/lockstep.toml',
];

let client: LanguageClient | undefined;
let clientDisposables: vscode.Disposable[] = [];
let output: vscode.OutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(CLIENT_NAME);
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('lockstep.newMigrationInteractive', newMigrationInteractive),
    vscode.commands.registerCommand('lockstep.showConsumers', showConsumers),
    vscode.commands.registerCommand('lockstep.restartServer', restartServer),
    // Trusting the workspace lets its own `.venv` server run: start over with it.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restartServer()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('lockstep.server')) {
        void restartServer();
      } else if (e.affectsConfiguration('lockstep') && client?.state === State.Running) {
        // Push the toml-shaped settings (the server may also re-pull workspace/configuration).
        void client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { lockstep: serverConfig() },
        });
      }
    }),
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

function settingsEnv(): ResolveEnv {
  return {
    platform: process.platform,
    pathEnv: process.env.PATH,
    pathExt: process.env.PATHEXT,
    homeDir: os.homedir(),
    workspaceFolders: (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => f.uri.fsPath),
    isExecutable: (file) => {
      try {
        if (!fs.statSync(file).isFile()) {
          return false;
        }
        if (process.platform !== 'win32') {
          fs.accessSync(file, fs.constants.X_OK);
        }
        return true;
      } catch {
        return false;
      }
    },
    exists: (file) => fs.existsSync(file),
    trusted: vscode.workspace.isTrusted,
    pythonInterpreter,
  };
}

/** The interpreter selected in the Python extension, through either of its public APIs. */
async function pythonInterpreter(): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (ext === undefined) {
    return undefined;
  }
  try {
    // The Python extension's API is untyped here on purpose: no dependency on its package.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const api: any = ext.isActive ? ext.exports : await ext.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const envPath = api?.environments?.getActiveEnvironmentPath?.(resource);
    if (envPath?.path) {
      const resolved = await api.environments.resolveEnvironment?.(envPath);
      return resolved?.executable?.uri?.fsPath ?? envPath.path;
    }
    const details = api?.settings?.getExecutionDetails?.(resource);
    return details?.execCommand?.[0];
  } catch (err) {
    output.appendLine(`Could not ask the Python extension for its interpreter: ${String(err)}`);
    return undefined;
  }
}

function serverConfig(scope?: vscode.Uri): ReturnType<typeof buildServerConfig> {
  const cfg = vscode.workspace.getConfiguration('lockstep', scope);
  return buildServerConfig((key) => cfg.get(key));
}

async function startClient(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('lockstep');
  const resolution = await resolveServer(
    { path: cfg.get<string>('server.path') ?? '', args: cfg.get<string[]>('server.args') ?? [] },
    settingsEnv(),
  );
  if (!resolution.ok) {
    output.appendLine(resolution.message);
    output.appendLine(`Looked for: ${resolution.tried.join(', ')}`);
    void vscode.window
      .showErrorMessage(resolution.message, 'Open Setting', 'Show Output')
      .then((choice) => {
        if (choice === 'Open Setting') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'lockstep.server.path');
        } else if (choice === 'Show Output') {
          output.show();
        }
      });
    return;
  }
  const { server } = resolution;
  output.appendLine(`Starting ${server.command} ${server.args.join(' ')} (found via ${server.source})`);

  const run = {
    command: server.command,
    args: server.args,
    transport: TransportKind.stdio as const,
    options: { cwd: server.cwd },
  };
  const serverOptions: ServerOptions = { run, debug: run };
  const watchers = WATCHED_GLOBS.map((g) => vscode.workspace.createFileSystemWatcher(g));
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: { fileEvents: watchers },
    initializationOptions: serverConfig(),
    outputChannel: output,
    traceOutputChannel: output,
    middleware: {
      workspace: {
        // Answer section `lockstep` with the toml-shaped config, not VS Code's raw settings tree.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) =>
            item.section === 'lockstep'
              ? serverConfig(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : answers[i],
          );
        },
      },
    },
  };
  const c = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = c;
  clientDisposables = watchers;
  try {
    await c.start();
  } catch (err) {
    output.appendLine(`Lockstep server failed to start: ${String(err)}`);
    void vscode.window.showErrorMessage(
      `Lockstep: the server (${server.command}) failed to start. See the Lockstep output for details.`,
    );
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  for (const d of clientDisposables) {
    d.dispose();
  }
  clientDisposables = [];
  if (c !== undefined) {
    try {
      await c.dispose();
    } catch (err) {
      output.appendLine(`Stopping the server: ${String(err)}`);
    }
  }
}

async function restartServer(): Promise<void> {
  output.appendLine('Restarting the Lockstep server…');
  await stopClient();
  await startClient();
}

/** The running client, or undefined after telling the person why not. */
function runningClient(command?: string): LanguageClient | undefined {
  if (client === undefined || client.state !== State.Running) {
    void vscode.window.showErrorMessage(
      'Lockstep: the server is not running. Run "Lockstep: Restart Server" or see the Lockstep output.',
    );
    return undefined;
  }
  if (command !== undefined) {
    const commands = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    if (!commands.includes(command)) {
      void vscode.window.showErrorMessage(
        `Lockstep: this server version does not provide ${command}. Update lockstep-lsp.`,
      );
      return undefined;
    }
  }
  return client;
}

async function newMigrationInteractive(): Promise<void> {
  const c = runningClient(SERVER_COMMAND_NEW_MIGRATION);
  if (c === undefined) {
    return;
  }
  const editor = vscode.window.activeTextEditor;
  const selected =
    editor !== undefined && !editor.selection.isEmpty
      ? editor.document.getText(editor.selection)
      : undefined;
  const description = await vscode.window.showInputBox({
    title: 'Lockstep: New Migration',
    prompt:
      selected !== undefined
        ? 'Describe the change (the selected SQL becomes the migration body)'
        : 'Describe the change',
    placeHolder: 'add language to profiles',
    validateInput: validateDescription,
  });
  if (description === undefined) {
    return;
  }
  const file = editor?.document.uri.scheme === 'file' ? editor.document.uri.toString() : undefined;
  const args = buildNewMigrationArgs(description, selected, file);
  const result: unknown = await c.sendRequest(ExecuteCommandRequest.type, {
    command: SERVER_COMMAND_NEW_MIGRATION,
    arguments: args,
  });
  if (typeof result === 'string' && result !== '') {
    await vscode.window.showTextDocument(vscode.Uri.parse(result), { preview: false });
  }
}

async function pickTable(c: LanguageClient): Promise<string | undefined> {
  let tables: string[] = [];
  if (c.initializeResult?.capabilities.workspaceSymbolProvider) {
    try {
      const symbols = await c.sendRequest(WorkspaceSymbolRequest.type, { query: '' });
      tables = tablesFromSymbols(symbols ?? []);
    } catch (err) {
      output.appendLine(`workspace/symbol failed: ${String(err)}`);
    }
  }
  if (tables.length === 0) {
    return vscode.window.showInputBox({
      title: 'Lockstep: Show Table Consumers',
      prompt: 'Table name',
      validateInput: (v) => (v.trim() === '' ? 'Enter a table name' : undefined),
    });
  }
  // Preselect the word under the cursor when it names a table.
  const editor = vscode.window.activeTextEditor;
  const wordRange = editor?.document.getWordRangeAtPosition(editor.selection.active);
  const word = wordRange ? editor?.document.getText(wordRange) : undefined;
  const ordered = word !== undefined && tables.includes(word) ? [word, ...tables.filter((t) => t !== word)] : tables;
  return vscode.window.showQuickPick(ordered, {
    title: 'Lockstep: Show Table Consumers',
    placeHolder: 'Table',
  });
}

async function showConsumers(argument?: unknown): Promise<void> {
  const c = runningClient(SERVER_COMMAND_CONSUMERS);
  if (c === undefined) {
    return;
  }
  const request = consumersRequest(argument);
  const name = request.table ?? (await pickTable(c));
  if (name === undefined || name.trim() === '') {
    return;
  }
  // The lens's file, else the active one, names the Supabase project (a workspace may hold several).
  const active = vscode.window.activeTextEditor?.document.uri;
  const scope = request.uri ?? (active?.scheme === 'file' ? active.toString() : undefined);
  const raw: unknown = await c.sendRequest(ExecuteCommandRequest.type, {
    command: SERVER_COMMAND_CONSUMERS,
    arguments: [scope !== undefined ? { table: name.trim(), uri: scope } : { table: name.trim() }],
  });
  let consumers: ConsumerLocation[];
  try {
    consumers = parseConsumers(raw);
  } catch (err) {
    output.appendLine(String(err));
    void vscode.window.showErrorMessage(`Lockstep: unexpected answer from the server (see output).`);
    return;
  }
  if (consumers.length === 0) {
    void vscode.window.showInformationMessage(`Lockstep: no consumers of "${name}" found.`);
    return;
  }
  const locations = consumers.map((l) => c.protocol2CodeConverter.asLocation(l));
  const editor = vscode.window.activeTextEditor;
  // From a code lens: peek at the lens; from the palette: at the cursor.
  const anchor =
    request.uri !== undefined && request.position !== undefined
      ? { uri: vscode.Uri.parse(request.uri), position: c.protocol2CodeConverter.asPosition(request.position) }
      : editor !== undefined
        ? { uri: editor.document.uri, position: editor.selection.active }
        : undefined;
  if (anchor !== undefined) {
    try {
      await vscode.commands.executeCommand('editor.action.showReferences', anchor.uri, anchor.position, locations);
      return;
    } catch (err) {
      output.appendLine(`showReferences failed, falling back to a quick pick: ${String(err)}`);
    }
  }
  await consumersQuickPick(name, consumers);
}

async function consumersQuickPick(table: string, consumers: ConsumerLocation[]): Promise<void> {
  type Item = vscode.QuickPickItem & { location?: ConsumerLocation };
  const relative = (uri: string): string =>
    vscode.workspace.asRelativePath(vscode.Uri.parse(uri), false).split(path.sep).join('/');
  const items: Item[] = consumerQuickPickEntries(groupConsumers(consumers), relative).map((e) =>
    e.kind === 'separator'
      ? { label: e.label, kind: vscode.QuickPickItemKind.Separator }
      : { label: e.label, description: e.description, location: e.location },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: `Consumers of ${table}`,
    matchOnDescription: true,
  });
  if (picked?.location !== undefined) {
    const r = picked.location.range;
    await vscode.window.showTextDocument(vscode.Uri.parse(picked.location.uri), {
      selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character),
    });
  }
}
