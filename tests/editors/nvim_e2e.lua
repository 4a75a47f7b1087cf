-- Headless Neovim driver for tests/editors/test_nvim.py.
--
-- Drives the real Lockstep server through editors/nvim exactly as a user would
-- (runtimepath + vim.lsp.enable), and writes one JSON result per step to
-- $LOCKSTEP_NVIM_RESULTS: {status = 'ok'|'skipped'|'error', data|reason}.
-- Assertions about the answers live in pytest; this script only fails a step on errors it
-- cannot report as data. All waits are vim.wait() on a condition, never sleeps.

local env = vim.env
local ROOT = vim.fs.normalize(env.LOCKSTEP_NVIM_ROOT)
local RESULTS = env.LOCKSTEP_NVIM_RESULTS
local TIMEOUT = tonumber(env.LOCKSTEP_NVIM_TIMEOUT_MS or '20000')
local DEADLINE = vim.uv.now() + tonumber(env.LOCKSTEP_NVIM_BUDGET_MS or '100000')

local results = { steps = {}, messages = {}, order = {} }

local function write_results()
  local f = assert(io.open(RESULTS, 'w'))
  f:write(vim.json.encode(results))
  f:close()
end

-- Every notification (including window/showMessage from the server) is kept for pytest.
vim.notify = function(msg, level)
  table.insert(results.messages, { message = tostring(msg), level = level })
end
-- Neovim 0.11 echoes window/showMessage instead of calling vim.notify: record it too.
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, params, ctx, config)
  table.insert(results.messages, { message = tostring(params and params.message), level = params and params.type })
  return show_message(err, params, ctx, config)
end
-- window/showMessageRequest must never block the headless run: record it and dismiss it.
vim.ui.select = function(items, opts, on_choice)
  table.insert(results.messages, { message = 'select: ' .. tostring(opts and opts.prompt), items = items })
  on_choice(nil)
end
vim.fn.inputlist = function(lines)
  table.insert(results.messages, { message = 'inputlist: ' .. table.concat(lines, ' ') })
  return 0
end

--- vim.wait bounded by both the step timeout and the whole run's budget.
local function wait_for(predicate, timeout)
  local remaining = math.max(DEADLINE - vim.uv.now(), 0)
  local ok = vim.wait(math.min(timeout or TIMEOUT, remaining), predicate, 50)
  return ok
end

local function rel(path)
  path = vim.fs.normalize(path)
  if path:sub(1, #ROOT + 1) == ROOT .. '/' then
    return path:sub(#ROOT + 2)
  end
  return path
end

local function step(name, fn)
  table.insert(results.order, name)
  local ok, status, payload = xpcall(fn, debug.traceback)
  if not ok then
    results.steps[name] = { status = 'error', reason = tostring(status) }
  elseif status == 'skipped' then
    results.steps[name] = { status = 'skipped', reason = payload }
  else
    results.steps[name] = { status = 'ok', data = payload or vim.empty_dict() }
  end
  write_results()
end

local function lockstep_client(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'lockstep' })[1]
end

local function open(path)
  vim.cmd.edit(vim.fn.fnameescape(ROOT .. '/' .. path))
  return vim.api.nvim_get_current_buf()
end

local function wait_attached(bufnr)
  wait_for(function()
    return lockstep_client(bufnr) ~= nil or server_exit ~= nil
  end)
  local client = lockstep_client(bufnr)
  if server_exit then
    error(('the server exited (code %s, signal %s)'):format(server_exit.code, server_exit.signal))
  end
  if not client then
    error(('Lockstep did not attach to %s within %d ms'):format(vim.api.nvim_buf_get_name(bufnr), TIMEOUT))
  end
  return client
end

local function server_commands(client)
  local provider = client.server_capabilities.executeCommandProvider
  return type(provider) == 'table' and provider.commands or {}
end

local function supports_command(client, command)
  return vim.tbl_contains(server_commands(client), command)
end

local function buffer_text(path)
  local bufnr = vim.fn.bufadd(path)
  vim.fn.bufload(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local function diag_data(d)
  local lsp = d.user_data and d.user_data.lsp or {}
  return {
    code = d.code ~= nil and tostring(d.code) or vim.NIL,
    message = d.message,
    severity = d.severity,
    source = d.source or vim.NIL,
    lnum = d.lnum,
    col = d.col,
    range = lsp.range or vim.NIL,
    file = rel(vim.api.nvim_buf_get_name(d.bufnr)),
  }
end

local function qf_data()
  local info = vim.fn.getqflist({ title = 1, items = 1 })
  local items = {}
  for _, item in ipairs(info.items) do
    table.insert(items, {
      file = rel(vim.api.nvim_buf_get_name(item.bufnr)),
      lnum = item.lnum,
      col = item.col,
      text = item.text,
    })
  end
  local open_qf = false
  local windows = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    local buf = vim.api.nvim_win_get_buf(win)
    table.insert(windows, rel(vim.api.nvim_buf_get_name(buf)) .. ':' .. vim.bo[buf].buftype)
    if vim.bo[buf].buftype == 'quickfix' then
      open_qf = true
    end
  end
  return { title = info.title, items = items, window_open = open_qf, windows = windows }
end

-- Setup -------------------------------------------------------------------------------------

vim.o.swapfile = false
vim.o.shadafile = 'NONE'
vim.cmd('filetype on')
vim.opt.runtimepath:prepend(env.LOCKSTEP_NVIM_RTP)
vim.lsp.log.set_level('info')
results.lsp_log = vim.lsp.log.get_filename()
results.nvim_version = tostring(vim.version())

local server_exit = nil
vim.lsp.config('lockstep', {
  cmd = vim.json.decode(env.LOCKSTEP_NVIM_CMD),
  -- Stop waiting as soon as the server dies instead of running into every timeout.
  on_exit = function(code, signal)
    server_exit = { code = code, signal = signal }
  end,
})
vim.lsp.enable('lockstep')

local ls = require('lockstep')
local broken_buf, client

-- Steps that need no server ----------------------------------------------------------------

-- Real repositories: a nested Supabase CLI project, and client helpers in `lib/supabase/`.
local function real_layouts()
  local base = vim.fs.normalize(vim.fn.tempname())
  for _, dir in ipairs({ '.git', 'apps/backend/supabase/migrations', 'apps/web/lib/supabase' }) do
    vim.fn.mkdir(base .. '/' .. dir, 'p')
  end
  for _, file in ipairs({ 'apps/backend/supabase/config.toml', 'apps/web/lib/supabase/client.ts' }) do
    local f = assert(io.open(base .. '/' .. file, 'w'))
    f:write('\n')
    f:close()
  end
  local function root_of(name)
    local bufnr = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(bufnr, base .. '/' .. name)
    local got = ls.find_root(bufnr)
    vim.api.nvim_buf_delete(bufnr, { force = true })
    return got and got:sub(#base + 2) or vim.NIL
  end
  local found = {
    migration = root_of('apps/backend/supabase/migrations/20240101000000_init.sql'),
    helper = root_of('apps/web/lib/supabase/client.ts'),
  }
  vim.fn.delete(base, 'rf')
  return found
end

step('root_dir', function()
  local config = vim.lsp.config.lockstep
  local function root_for(name, filetype)
    local bufnr = vim.api.nvim_create_buf(false, true) -- scratch: lsp.enable ignores it
    vim.api.nvim_buf_set_name(bufnr, ROOT .. '/' .. name)
    vim.bo[bufnr].filetype = filetype
    local got = vim.NIL
    config.root_dir(bufnr, function(dir)
      got = dir and vim.fs.normalize(dir) or vim.NIL
    end)
    vim.api.nvim_buf_delete(bufnr, { force = true })
    return got
  end
  return 'ok', {
    root = ROOT,
    filetypes = config.filetypes,
    cmd = config.cmd,
    sql = root_for('supabase/migrations/001_init.sql', 'sql'),
    tsx = root_for('apps/web/src/hooks/useThing.tsx', 'typescriptreact'),
    lockstep_toml = root_for('lockstep.toml', 'toml'),
    other_toml = root_for('supabase/config.toml', 'toml'),
    real_layouts = real_layouts(),
  }
end)

step('range_text', function()
  local bufnr = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_set_current_buf(bufnr)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, {
    '-- scratch: ALTER TABLE wins ADD COLUMN mood TEXT;',
    'SELECT 1;',
    'SELECT 2;',
  })
  local data = {}
  -- Charwise selection of the statement after the comment prefix on line 1.
  vim.cmd('normal! gg0fAv$h\27')
  data.charwise = ls.range_text(bufnr, 1, 1)
  -- Linewise selection of lines 2-3.
  vim.cmd('normal! 2GVj\27')
  data.linewise = ls.range_text(bufnr, 2, 3)
  -- An explicit line range that is not the last selection: whole lines.
  data.explicit = ls.range_text(bufnr, 1, 1)
  vim.api.nvim_buf_delete(bufnr, { force = true })
  return 'ok', data
end)

-- Steps against the real server -------------------------------------------------------------

-- A step that runs a server command: nil when the server advertises it, else why to skip.
local function needs_command(command)
  if not client then
    error('not attached')
  end
  if not supports_command(client, command) then
    return 'server does not advertise ' .. command
  end
end

step('attach', function()
  broken_buf = open('supabase/migrations/002_broken.sql')
  client = wait_attached(broken_buf)
  local caps = client.server_capabilities
  local buf_cmds = {}
  for name in pairs(vim.api.nvim_get_commands({})) do
    if vim.startswith(name, 'Lockstep') then
      table.insert(buf_cmds, name)
    end
  end
  table.sort(buf_cmds)
  return 'ok', {
    root_dir = client.root_dir and vim.fs.normalize(client.root_dir) or vim.NIL,
    commands = server_commands(client),
    code_action = caps.codeActionProvider and true or false,
    hover = caps.hoverProvider and true or false,
    user_commands = buf_cmds,
  }
end)

step('diagnostics', function()
  if not client then
    error('not attached')
  end
  local function find()
    for _, d in ipairs(vim.diagnostic.get(broken_buf)) do
      if tostring(d.code) == 'migration-syntax-error' then
        return d
      end
    end
  end
  wait_for(function()
    return find() ~= nil
  end)
  local all = {}
  for _, d in ipairs(vim.diagnostic.get(broken_buf)) do
    table.insert(all, diag_data(d))
  end
  local found = find()
  return 'ok', { syntax_error = found and diag_data(found) or vim.NIL, all = all }
end)

step('quickfix', function()
  if not client then
    error('not attached')
  end
  if not client.server_capabilities.codeActionProvider then
    return 'skipped', 'server does not advertise codeActionProvider'
  end
  -- The types file has a deliberate gap (wins.session_id), so there is something to fix.
  local types_buf = open('packages/types/src/wins.ts')
  wait_attached(types_buf)
  wait_for(function()
    return #vim.diagnostic.get(types_buf) > 0
  end, math.floor(TIMEOUT / 2))
  local candidates = {}
  for _, bufnr in ipairs({ broken_buf, types_buf }) do
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.user_data and d.user_data.lsp then
        table.insert(candidates, { bufnr = bufnr, diag = d })
      end
    end
  end
  local tried = {}
  for _, cand in ipairs(candidates) do
    local lsp_diag = cand.diag.user_data.lsp
    table.insert(tried, tostring(cand.diag.code))
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(cand.bufnr) },
      range = lsp_diag.range,
      context = { diagnostics = { lsp_diag }, only = { 'quickfix' }, triggerKind = 1 },
    }
    local response, err = client:request_sync('textDocument/codeAction', params, TIMEOUT, cand.bufnr)
    if not response then
      error('codeAction request failed: ' .. tostring(err))
    end
    if response.err then
      error('codeAction error: ' .. vim.inspect(response.err))
    end
    local chosen
    for _, action in ipairs(response.result or {}) do
      -- A bare Command has a string `command`; a CodeAction has a `title` and maybe `kind`.
      -- The rule's own fix, not the "Suppress …" ones every rule offers (quickfix.suppress).
      local is_quickfix = type(action.command) ~= 'string'
        and (action.kind == nil or vim.startswith(action.kind, 'quickfix'))
        and action.kind ~= 'quickfix.suppress'
      if is_quickfix and (not chosen or (action.isPreferred and not chosen.isPreferred)) then
        chosen = action
      end
    end
    if chosen then
      if not chosen.edit and not chosen.command then
        local resolved = client:request_sync('codeAction/resolve', chosen, TIMEOUT, cand.bufnr)
        chosen = resolved and resolved.result or chosen
      end
      local ticks = {}
      for _, b in ipairs(vim.api.nvim_list_bufs()) do
        ticks[b] = vim.api.nvim_buf_get_changedtick(b)
      end
      if chosen.edit then
        vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
      end
      if chosen.command then
        local done = false
        client:exec_cmd(chosen.command, { bufnr = cand.bufnr }, function()
          done = true
        end)
        wait_for(function()
          return done
        end)
      end
      local changed = {}
      for _, b in ipairs(vim.api.nvim_list_bufs()) do
        if ticks[b] == nil or ticks[b] ~= vim.api.nvim_buf_get_changedtick(b) then
          local name = vim.api.nvim_buf_get_name(b)
          if name ~= '' then
            table.insert(changed, rel(name))
          end
        end
      end
      return 'ok', {
        rule = tostring(cand.diag.code),
        file = rel(vim.api.nvim_buf_get_name(cand.bufnr)),
        title = chosen.title,
        kind = chosen.kind or vim.NIL,
        had_edit = chosen.edit ~= nil,
        changed = changed,
      }
    end
  end
  return 'skipped', 'no quick fix offered for: ' .. (#tried > 0 and table.concat(tried, ', ') or 'no diagnostics')
end)

step('new_migration', function()
  local skip = needs_command(ls.commands.new_migration)
  if skip then
    return 'skipped', skip
  end
  vim.api.nvim_set_current_buf(broken_buf)
  local first_message = #results.messages + 1
  local expected = ROOT .. '/supabase/migrations/003_add_mood_to_wins.sql'
  vim.cmd('LockstepNewMigration add mood to wins')
  local function shown()
    return vim.fs.normalize(vim.api.nvim_buf_get_name(0)) == expected
  end
  wait_for(function()
    return vim.uv.fs_stat(expected) ~= nil and shown()
  end)
  -- The deployment reminder arrives as window/showMessage around the response.
  wait_for(function()
    for i = first_message, #results.messages do
      local m = results.messages[i].message:lower()
      if m:find('prod') or m:find('dev') then
        return true
      end
    end
    return false
  end, 5000)
  local migrations = {}
  for name in vim.fs.dir(ROOT .. '/supabase/migrations') do
    table.insert(migrations, name)
  end
  table.sort(migrations)
  local exists = vim.uv.fs_stat(expected) ~= nil
  return 'ok', {
    exists = exists,
    shown = shown(),
    current = rel(vim.api.nvim_buf_get_name(0)),
    migrations = migrations,
    text = exists and buffer_text(expected) or vim.NIL,
    messages = vim.list_slice(results.messages, first_message),
  }
end)

step('new_migration_selection', function()
  local skip = needs_command(ls.commands.new_migration)
  if skip then
    return 'skipped', skip
  end
  local path = ROOT .. '/scratch.sql'
  local f = assert(io.open(path, 'w'))
  f:write('-- scratch: ALTER TABLE wins ADD COLUMN mood TEXT;\n')
  f:close()
  local bufnr = open('scratch.sql')
  wait_attached(bufnr)
  -- The previous step's window/showDocument may land after this buffer opened: select in
  -- the scratch buffer, whatever is current now.
  vim.api.nvim_set_current_buf(bufnr)
  vim.cmd('normal! gg0fAv$h\27')
  local before = {}
  for name in vim.fs.dir(ROOT .. '/supabase/migrations') do
    before[name] = true
  end
  vim.cmd("'<,'>LockstepNewMigration mood from selection")
  local created
  wait_for(function()
    for name in vim.fs.dir(ROOT .. '/supabase/migrations') do
      if not before[name] and vim.fs.normalize(vim.api.nvim_buf_get_name(0)):sub(-#name) == name then
        created = name
        return true
      end
    end
    return false
  end)
  return 'ok', {
    created = created or vim.NIL,
    current = rel(vim.api.nvim_buf_get_name(0)),
    text = created and buffer_text(ROOT .. '/supabase/migrations/' .. created) or vim.NIL,
  }
end)

local function run_consumers(bufnr, command_line)
  vim.fn.setqflist({}, ' ', { title = 'cleared by test', items = {} })
  -- Whether the command opened the quickfix window, seen when it happens: on a busy machine a
  -- late window/showDocument from an earlier step can replace the window's buffer afterwards.
  local opened = false
  local watch = vim.api.nvim_create_autocmd('BufWinEnter', {
    callback = function(args)
      if vim.bo[args.buf].buftype == 'quickfix' then
        opened = true
      end
    end,
  })
  vim.cmd(command_line)
  local want = 'Lockstep consumers of wins'
  wait_for(function()
    return vim.fn.getqflist({ title = 1 }).title == want and opened
  end)
  vim.api.nvim_del_autocmd(watch)
  local data = qf_data()
  data.window_open = data.window_open or opened
  data.buffer = rel(vim.api.nvim_buf_get_name(bufnr))
  vim.cmd('cclose')
  return data
end

step('consumers', function()
  local skip = needs_command(ls.commands.consumers)
  if skip then
    return 'skipped', skip
  end
  vim.api.nvim_set_current_buf(broken_buf)
  return 'ok', run_consumers(broken_buf, 'LockstepConsumers wins')
end)

step('consumers_cursor', function()
  local skip = needs_command(ls.commands.consumers)
  if skip then
    return 'skipped', skip
  end
  local bufnr = open('apps/web/src/hooks/useWins.ts')
  wait_attached(bufnr)
  -- A late window/showDocument of an earlier step may have shown another buffer meanwhile.
  vim.api.nvim_set_current_buf(bufnr)
  local pos = vim.fn.searchpos([[from('\zswins]], 'w')
  if pos[1] == 0 then
    error("no .from('wins') in useWins.ts")
  end
  local word = ls.table_under_cursor()
  local data = run_consumers(bufnr, 'LockstepConsumers')
  data.word = word
  return 'ok', data
end)

-- Hover and go-to-definition on `.from('wins')`, the requests behind `K` and `gd`.
step('hover_definition', function()
  if not client then
    error('not attached')
  end
  local bufnr = open('apps/web/src/hooks/useWins.ts')
  wait_attached(bufnr)
  vim.api.nvim_set_current_buf(bufnr)
  local pos = vim.fn.searchpos([[from('\zswins]], 'w')
  if pos[1] == 0 then
    error("no .from('wins') in useWins.ts")
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local hover = client:request_sync('textDocument/hover', params, TIMEOUT, bufnr)
  local definition = client:request_sync('textDocument/definition', params, TIMEOUT, bufnr)
  local contents = hover and hover.result and hover.result.contents or {}
  local locations = definition and definition.result or {}
  if locations.uri then
    locations = { locations }
  end
  local first = locations[1] or {}
  return 'ok', {
    hover = type(contents) == 'table' and (contents.value or '') or tostring(contents),
    definition = first.uri and rel(vim.uri_to_fname(first.uri)) or (first.targetUri and
      rel(vim.uri_to_fname(first.targetUri))) or vim.NIL,
    line = first.range and first.range.start.line or (first.targetSelectionRange and
      first.targetSelectionRange.start.line) or vim.NIL,
  }
end)

-- Rename a column from its select string with vim.lsp.buf.rename(), as `grn` would: Neovim's
-- client applies the WorkspaceEdit (the new migration, the row type, the consumer).
step('rename', function()
  if not client then
    error('not attached')
  end
  if not client.server_capabilities.renameProvider then
    return 'skipped', 'the server does not advertise renameProvider'
  end
  local bufnr = open('apps/web/src/hooks/useWins.ts')
  wait_attached(bufnr)
  vim.api.nvim_set_current_buf(bufnr)
  local pos = vim.fn.searchpos([[select('id, \zstext]], 'w')
  if pos[1] == 0 then
    error("no .select('id, text') in useWins.ts")
  end
  local folder = ROOT .. '/supabase/migrations'
  local function created()
    for name in vim.fs.dir(folder) do
      if name:find('_rename_wins_text_to_body.sql', 1, true) then
        return name
      end
    end
  end
  vim.lsp.buf.rename('body')
  wait_for(function()
    return created() ~= nil and buffer_text(ROOT .. '/apps/web/src/hooks/useWins.ts'):find("select('id, body')", 1, true) ~= nil
  end)
  local name = created()
  return 'ok', {
    migration = name or vim.NIL,
    migration_text = name and buffer_text(folder .. '/' .. name) or vim.NIL,
    hook = buffer_text(ROOT .. '/apps/web/src/hooks/useWins.ts'),
    type = buffer_text(ROOT .. '/packages/types/src/wins.ts'),
  }
end)

-- `:LockstepNewMigration` typed in the quickfix window `:LockstepConsumers` opened (no
-- server serves that buffer): the commands are global and use the running client.
step('command_from_quickfix', function()
  local skip = needs_command(ls.commands.new_migration)
  if skip then
    return 'skipped', skip
  end
  vim.api.nvim_set_current_buf(broken_buf)
  vim.cmd('LockstepConsumers wins')
  wait_for(function()
    return vim.bo.buftype == 'quickfix'
  end)
  local from = vim.bo.buftype
  local folder = ROOT .. '/supabase/migrations'
  local function created()
    for name in vim.fs.dir(folder) do
      if name:find('_from_quickfix.sql', 1, true) then
        return name
      end
    end
  end
  vim.cmd('LockstepNewMigration from quickfix')
  wait_for(function()
    return created() ~= nil
  end)
  return 'ok', { from = from, created = created() or vim.NIL }
end)

write_results()
vim.cmd('qa!')
