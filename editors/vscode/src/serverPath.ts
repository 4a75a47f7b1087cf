// Finding the lockstep-lsp server. Pure (no `vscode` import): file system, environment and the
// Python extension are injected, so every branch is unit-testable in plain Node.
import * as path from 'node:path';

export interface ServerSettings {
  /** `lockstep.server.path`: empty means "find it". */
  path: string;
  /** `lockstep.server.args`. */
  args: readonly string[];
}

export interface ResolveEnv {
  platform: NodeJS.Platform;
  /** The PATH environment variable. */
  pathEnv: string | undefined;
  /** PATHEXT on Windows (".EXE;.CMD;…"). */
  pathExt?: string;
  homeDir: string;
  /** Workspace folder paths, first one is the default root. */
  workspaceFolders: readonly string[];
  /** True when `file` exists and is a runnable file (not a directory). */
  isExecutable(file: string): boolean;
  /** True when `file` exists. */
  exists(file: string): boolean;
  /** False in an untrusted workspace: its `.venv` is never run (default: trusted). */
  trusted?: boolean;
  /** The interpreter selected in the ms-python.python extension, if it is installed. */
  pythonInterpreter?(): Promise<string | undefined>;
}

export type ServerSource = 'setting' | 'path' | 'venv' | 'python-module';

export interface ServerCommand {
  command: string;
  args: string[];
  /** Working directory: the first workspace folder. */
  cwd?: string;
  source: ServerSource;
}

export type Resolution =
  | { ok: true; server: ServerCommand; tried: string[] }
  | { ok: false; message: string; tried: string[] };

export const SERVER_EXECUTABLE = 'lockstep-lsp';
export const INSTALL_HINT =
  'Install it from a checkout of the Lockstep repository with `scripts/install --link` ' +
  '(puts lockstep-lsp in ~/.local/bin) or `pipx install /path/to/lockstep`, ' +
  'or set `lockstep.server.path` to its lockstep-lsp.';

function isWindows(env: ResolveEnv): boolean {
  return env.platform === 'win32';
}

function pathApi(env: ResolveEnv): typeof path.posix {
  return isWindows(env) ? path.win32 : path.posix;
}

/** Names to try for `name` in a folder: on Windows with every PATHEXT suffix. */
function candidateNames(name: string, env: ResolveEnv): string[] {
  if (!isWindows(env) || path.win32.extname(name) !== '') {
    return [name];
  }
  const exts = (env.pathExt ?? '.EXE;.CMD;.BAT;.COM').split(';').filter((e) => e !== '');
  return [...exts.map((e) => name + e.toLowerCase()), name];
}

/** Looks `name` up on PATH, like `which`. */
export function findOnPath(name: string, env: ResolveEnv): string | undefined {
  const p = pathApi(env);
  const dirs = (env.pathEnv ?? '').split(isWindows(env) ? ';' : ':').filter((d) => d !== '');
  for (const dir of dirs) {
    for (const candidate of candidateNames(name, env)) {
      const full = p.join(dir, candidate);
      if (env.isExecutable(full)) {
        return full;
      }
    }
  }
  return undefined;
}

/** Expands `${workspaceFolder}`, `${userHome}` and a leading `~`, and anchors relative paths. */
export function expandSettingPath(value: string, env: ResolveEnv): string {
  const p = pathApi(env);
  const root = env.workspaceFolders[0];
  let out = value.trim();
  out = out.replace(/\$\{userHome\}/g, env.homeDir);
  if (root !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, root);
  }
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
    out = p.join(env.homeDir, out.slice(1));
  }
  if (!p.isAbsolute(out) && root !== undefined) {
    out = p.join(root, out);
  }
  return out;
}

function hasSeparator(value: string, env: ResolveEnv): boolean {
  return value.includes('/') || (isWindows(env) && value.includes('\\'));
}

/** Executables inside a virtual environment folder, platform-aware. */
function venvFile(root: string, venv: string, name: string, env: ResolveEnv): string[] {
  const p = pathApi(env);
  if (isWindows(env)) {
    return candidateNames(name, env).map((n) => p.join(root, venv, 'Scripts', n));
  }
  return [p.join(root, venv, 'bin', name)];
}

/**
 * Resolves the server command. Order: the `lockstep.server.path` setting; `.venv`/`venv` in a
 * workspace folder (the project's own pinned install wins over a global one); `lockstep-lsp` on
 * PATH; `python -m lockstep` with the Python extension's interpreter or the workspace `.venv`
 * interpreter. An untrusted workspace's virtual environments are never run.
 */
export async function resolveServer(settings: ServerSettings, env: ResolveEnv): Promise<Resolution> {
  const tried: string[] = [];
  const extraArgs = [...settings.args];
  const cwd = env.workspaceFolders[0];
  const found = (command: string, source: ServerSource, args: string[] = []): Resolution => ({
    ok: true,
    server: { command, args: [...args, ...extraArgs], cwd, source },
    tried,
  });

  const configured = settings.path.trim();
  if (configured !== '') {
    if (!hasSeparator(configured, env) && !configured.startsWith('~') && !configured.includes('${')) {
      tried.push(`${configured} on PATH (lockstep.server.path)`);
      const onPath = findOnPath(configured, env);
      if (onPath !== undefined) {
        return found(onPath, 'setting');
      }
    } else {
      const full = expandSettingPath(configured, env);
      tried.push(`${full} (lockstep.server.path)`);
      if (env.isExecutable(full)) {
        return found(full, 'setting');
      }
    }
    // An explicit setting that points nowhere is an error, not a reason to run something else.
    return {
      ok: false,
      message: `Lockstep: lockstep.server.path is set to "${configured}", but no executable was found there. Fix the setting, or clear it to let Lockstep find lockstep-lsp. ${INSTALL_HINT}`,
      tried,
    };
  }

  const folders = env.trusted === false ? [] : env.workspaceFolders;
  for (const root of folders) {
    for (const venv of ['.venv', 'venv']) {
      for (const file of venvFile(root, venv, SERVER_EXECUTABLE, env)) {
        tried.push(file);
        if (env.isExecutable(file)) {
          return found(file, 'venv');
        }
      }
    }
  }

  tried.push(`${SERVER_EXECUTABLE} on PATH`);
  const onPath = findOnPath(SERVER_EXECUTABLE, env);
  if (onPath !== undefined) {
    return found(onPath, 'path');
  }

  const moduleArgs = ['-m', 'lockstep'];
  if (env.pythonInterpreter !== undefined) {
    tried.push('the Python extension\'s selected interpreter (python -m lockstep)');
    const interpreter = await env.pythonInterpreter();
    if (interpreter !== undefined && interpreter !== '' && env.exists(interpreter)) {
      return found(interpreter, 'python-module', moduleArgs);
    }
  }
  for (const root of folders) {
    const names = isWindows(env) ? ['python.exe'] : ['python3', 'python'];
    for (const name of names) {
      const p = pathApi(env);
      const file = p.join(root, '.venv', isWindows(env) ? 'Scripts' : 'bin', name);
      tried.push(`${file} -m lockstep`);
      if (env.isExecutable(file)) {
        return found(file, 'python-module', moduleArgs);
      }
    }
  }

  return {
    ok: false,
    message: `Lockstep: the language server (lockstep-lsp) was not found. ${INSTALL_HINT}`,
    tried,
  };
}
