// The client's own decisions, kept free of `vscode` so they are unit-testable in plain Node.

/** LSP `SymbolKind` values the server uses for tables. */
export const SYMBOL_KIND_CLASS = 5;
export const SYMBOL_KIND_STRUCT = 23;

/** Server-side executeCommand ids (registered by the server; the client must not reuse them). */
export const SERVER_COMMAND_NEW_MIGRATION = 'lockstep.newMigration';
export const SERVER_COMMAND_CONSUMERS = 'lockstep.consumers';

export interface NewMigrationArgs {
  description: string;
  sql?: string;
  uri?: string;
}

/** Input-box validation: undefined when fine, else the message to show. */
export function validateDescription(value: string): string | undefined {
  if (value.trim() === '') {
    return 'Describe the change, e.g. "add language to profiles".';
  }
  if (/[\r\n]/.test(value)) {
    return 'Use a single line.';
  }
  return undefined;
}

/** The `lockstep.newMigration` arguments: the selection becomes `sql` only when it has text;
 * the active file's URI names its Supabase project when the workspace has several. */
export function buildNewMigrationArgs(
  description: string,
  selectedText: string | undefined,
  documentUri?: string,
): [NewMigrationArgs] {
  const args: NewMigrationArgs = { description: description.trim() };
  if (selectedText !== undefined && selectedText.trim() !== '') {
    args.sql = selectedText;
  }
  if (documentUri !== undefined) {
    args.uri = documentUri;
  }
  return [args];
}

export interface SymbolLike {
  name: string;
  kind: number;
  containerName?: string;
}

/** Table names from `workspace/symbol`: Struct/Class symbols, unique, sorted. */
export function tablesFromSymbols(symbols: readonly SymbolLike[] | null | undefined): string[] {
  const names = new Set<string>();
  for (const s of symbols ?? []) {
    if (s.kind === SYMBOL_KIND_STRUCT || s.kind === SYMBOL_KIND_CLASS) {
      names.add(s.name);
    }
  }
  return [...names].sort((a, b) => a.localeCompare(b));
}

export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}
export interface ConsumerLocation {
  category: string;
  uri: string;
  range: LspRange;
}

export interface ConsumerGroup {
  category: string;
  locations: ConsumerLocation[];
}

/** Checks the shape of a `lockstep.consumers` answer; throws on anything else. */
/** What "Show Table Consumers" was invoked with: nothing (palette), a table name, or the
 * server's code lens argument `{table, uri, position}` (the peek then opens at the lens). */
export interface ConsumersRequest {
  table?: string;
  uri?: string;
  position?: LspPosition;
}

export function consumersRequest(argument: unknown): ConsumersRequest {
  if (typeof argument === 'string') {
    return argument.trim() === '' ? {} : { table: argument.trim() };
  }
  if (typeof argument !== 'object' || argument === null) {
    return {};
  }
  const value = argument as Record<string, unknown>;
  const request: ConsumersRequest = {};
  if (typeof value.table === 'string' && value.table.trim() !== '') {
    request.table = value.table.trim();
  }
  const position = value.position as Record<string, unknown> | undefined;
  if (
    typeof value.uri === 'string' &&
    position !== undefined &&
    typeof position.line === 'number' &&
    typeof position.character === 'number'
  ) {
    request.uri = value.uri;
    request.position = { line: position.line, character: position.character };
  }
  return request;
}

export function parseConsumers(value: unknown): ConsumerLocation[] {
  if (value === null || value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new Error(`lockstep.consumers returned ${typeof value}, expected an array`);
  }
  return value.map((item: unknown, i) => {
    const o = item as Partial<ConsumerLocation> | null;
    const ok =
      o !== null &&
      typeof o === 'object' &&
      typeof o.category === 'string' &&
      typeof o.uri === 'string' &&
      isRange(o.range);
    if (!ok) {
      throw new Error(`lockstep.consumers item ${i} is not {category, uri, range}: ${JSON.stringify(item)}`);
    }
    return o as ConsumerLocation;
  });
}

function isPosition(v: unknown): v is LspPosition {
  const p = v as Partial<LspPosition> | null;
  return p !== null && typeof p === 'object' && typeof p.line === 'number' && typeof p.character === 'number';
}

function isRange(v: unknown): v is LspRange {
  const r = v as Partial<LspRange> | null | undefined;
  return r !== null && typeof r === 'object' && isPosition(r.start) && isPosition(r.end);
}

/** Groups consumers by category (categories in first-seen order; inside: by uri, then line). */
export function groupConsumers(locations: readonly ConsumerLocation[]): ConsumerGroup[] {
  const groups = new Map<string, ConsumerLocation[]>();
  for (const loc of locations) {
    const list = groups.get(loc.category) ?? [];
    list.push(loc);
    groups.set(loc.category, list);
  }
  return [...groups.entries()].map(([category, locs]) => ({
    category,
    locations: [...locs].sort(
      (a, b) =>
        a.uri.localeCompare(b.uri) ||
        a.range.start.line - b.range.start.line ||
        a.range.start.character - b.range.start.character,
    ),
  }));
}

export type QuickPickEntry =
  | { kind: 'separator'; label: string }
  | { kind: 'item'; label: string; description: string; location: ConsumerLocation };

/** Flat quick-pick entries: a separator per category, then its locations (1-based lines). */
export function consumerQuickPickEntries(
  groups: readonly ConsumerGroup[],
  relativePath: (uri: string) => string,
): QuickPickEntry[] {
  const out: QuickPickEntry[] = [];
  for (const g of groups) {
    out.push({ kind: 'separator', label: `${g.category} (${g.locations.length})` });
    for (const loc of g.locations) {
      const rel = relativePath(loc.uri);
      const base = rel.split('/').pop() ?? rel;
      out.push({
        kind: 'item',
        label: `${base}:${loc.range.start.line + 1}`,
        description: rel,
        location: loc,
      });
    }
  }
  return out;
}

export type RuleSeverity = 'off' | 'hint' | 'information' | 'warning' | 'error';
const SEVERITIES: readonly string[] = ['off', 'hint', 'information', 'warning', 'error'];

/**
 * The settings sent to the server (initializationOptions and workspace/configuration section
 * `lockstep`), shaped like `lockstep.toml`: `{migrations: {paths}, types: {path}, rules}`.
 * Unset/empty settings are left out so they never override `lockstep.toml`.
 */
export interface ServerConfig {
  rules?: Record<string, RuleSeverity>;
  [section: string]: Record<string, unknown> | undefined;
}

type Kind = 'string' | 'strings' | 'map' | 'categories' | 'boolean' | 'integer' | 'targets';

/** VS Code setting (after `lockstep.`) → `[section] key` of lockstep.toml, and its shape. */
export const SETTINGS: readonly (readonly [string, string, string, Kind])[] = [
  ['migrations.paths', 'migrations', 'paths', 'strings'],
  ['types.path', 'types', 'path', 'string'],
  ['types.index', 'types', 'index', 'string'],
  ['types.style', 'types', 'style', 'string'],
  ['types.map', 'types', 'map', 'map'],
  ['consumers.categories', 'consumers', 'categories', 'categories'],
  ['consumers.exclude', 'consumers', 'exclude', 'strings'],
  ['consumers.clients', 'consumers', 'clients', 'strings'],
  ['rls.internalTables', 'rls', 'internal_tables', 'strings'],
  ['rls.exposedSchemas', 'rls', 'exposed_schemas', 'strings'],
  ['mirror.prefix', 'mirror', 'prefix', 'string'],
  ['clone.routes', 'clone', 'routes', 'strings'],
  ['rename.keepResultKeys', 'rename', 'keep_result_keys', 'boolean'],
  ['rename.objects', 'rename', 'objects', 'boolean'],
  ['files.maxSizeKib', 'files', 'max_size_kib', 'integer'],
  ['conventions.toney', 'conventions', 'toney', 'boolean'],
  ['conventions.supabaseCli', 'conventions', 'supabase-cli', 'boolean'],
  ['deploy.targets', 'deploy', 'targets', 'targets'],
];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The setting's value in lockstep.toml's shape, or undefined when unset or empty. */
function clean(value: unknown, kind: Kind): unknown {
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    case 'strings': {
      const list = Array.isArray(value)
        ? value.filter((p): p is string => typeof p === 'string' && p.trim() !== '')
        : [];
      return list.length > 0 ? list : undefined;
    }
    case 'map':
    case 'categories': {
      if (!isObject(value)) {
        return undefined;
      }
      const ok = (v: unknown): boolean =>
        typeof v === 'string' || (kind === 'categories' && Array.isArray(v) && v.every((g) => typeof g === 'string'));
      const entries = Object.entries(value).filter(([, v]) => ok(v));
      return entries.length > 0 ? Object.fromEntries(entries) : undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
    case 'targets': {
      const list = Array.isArray(value)
        ? value.filter((t) => isObject(t) && typeof t.name === 'string' && typeof t.project_ref === 'string')
        : [];
      return list.length > 0 ? list : undefined;
    }
  }
}

/** `get(key)` reads a `lockstep.*` setting, e.g. `get('migrations.paths')`. */
export function buildServerConfig(get: (key: string) => unknown): ServerConfig {
  const out: ServerConfig = {};
  for (const [setting, section, key, kind] of SETTINGS) {
    const value = clean(get(setting), kind);
    if (value !== undefined) {
      out[section] = { ...(out[section] ?? {}), [key]: value };
    }
  }
  const rules = get('rules');
  if (rules !== null && typeof rules === 'object' && !Array.isArray(rules)) {
    const clean: Record<string, RuleSeverity> = {};
    for (const [name, sev] of Object.entries(rules as Record<string, unknown>)) {
      if (typeof sev === 'string' && SEVERITIES.includes(sev)) {
        clean[name] = sev as RuleSeverity;
      }
    }
    if (Object.keys(clean).length > 0) {
      out.rules = clean;
    }
  }
  return out;
}
