-- Lockstep for Neovim: buffer-local commands on top of the built-in LSP client.
--
-- Everything the server offers as standard LSP (diagnostics, code actions, hover) goes through
-- Neovim's own `vim.lsp.buf.*`; this module only adds the two Lockstep commands, which are
-- `workspace/executeCommand` calls (see `:help lockstep`).

local M = {}

--- Command identifiers, as the server advertises them in `executeCommandProvider.commands`.
M.commands = {
  new_migration = 'lockstep.newMigration',
  consumers = 'lockstep.consumers',
}

--- Workspace root markers, in priority order. A Supabase project is a folder holding
--- `supabase/config.toml` (or `supabase/migrations/`), never just any folder named `supabase`
--- (apps have `lib/supabase/` and `utils/supabase/` client helpers).
M.root_markers = { 'lockstep.toml', 'supabase/config.toml', 'supabase/migrations', '.git' }

local has_011 = vim.fn.has('nvim-0.11') == 1

local function notify(msg, level)
  vim.notify('Lockstep: ' .. msg, level or vim.log.levels.INFO)
end

--- Workspace root for a buffer, or nil when Lockstep should not attach to it.
--- TOML buffers only qualify when they are `lockstep.toml`; the markers are tried in order so
--- that a `lockstep.toml` or `supabase/` directory beats an enclosing `.git`.
---@param bufnr integer
---@param markers? string[]
---@return string?
function M.find_root(bufnr, markers)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil
  end
  if vim.bo[bufnr].filetype == 'toml' and vim.fs.basename(name) ~= 'lockstep.toml' then
    return nil
  end
  local start = vim.fs.dirname(vim.fs.normalize(name))
  for _, marker in ipairs(markers or M.root_markers) do
    local dir = start
    while dir do
      if vim.uv.fs_stat(dir .. '/' .. marker) then
        return dir
      end
      local parent = vim.fs.dirname(dir)
      dir = parent ~= dir and parent or nil
    end
  end
  return nil
end

---@param client vim.lsp.Client
---@param command string
---@return boolean
local function supports(client, command)
  local provider = client.server_capabilities and client.server_capabilities.executeCommandProvider
  local list = type(provider) == 'table' and provider.commands or {}
  return vim.tbl_contains(list, command)
end

--- The Lockstep client attached to `bufnr` that can run `command` (or an error message).
---@param bufnr integer
---@param command string
---@return vim.lsp.Client?, string?
function M.client_for(bufnr, command)
  local clients = vim.lsp.get_clients({ bufnr = bufnr })
  if #clients == 0 then
    -- Commands are global: from a buffer no server serves (the quickfix list, a help page)
    -- use the Lockstep client that is running.
    clients = vim.lsp.get_clients({ name = 'lockstep' })
  end
  local named = nil
  for _, client in ipairs(clients) do
    if supports(client, command) then
      return client, nil
    end
    if client.name == 'lockstep' then
      named = client
    end
  end
  if named then
    return nil, ('the server does not offer %s (yet)'):format(command)
  end
  return nil, 'no Lockstep language server is attached to this buffer'
end

---@param client vim.lsp.Client
---@param bufnr integer
---@param command string
---@param arguments any[]
---@param handler fun(err: lsp.ResponseError?, result: any)
local function execute(client, bufnr, command, arguments, handler)
  local function on_response(err, result)
    if err then
      notify(('%s failed: %s'):format(command, err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    handler(err, result)
  end
  if has_011 then
    client:exec_cmd({ title = command, command = command, arguments = arguments }, { bufnr = bufnr }, on_response)
  else
    -- Neovim 0.10: methods are plain functions on the client table.
    client.request('workspace/executeCommand', { command = command, arguments = arguments }, on_response, bufnr)
  end
end

local function same_file(a, b)
  a, b = vim.fs.normalize(a), vim.fs.normalize(b)
  if a == b then
    return true
  end
  local ra, rb = vim.uv.fs_realpath(a), vim.uv.fs_realpath(b)
  return ra ~= nil and ra == rb
end

local function shown_in_window(fname)
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if same_file(vim.api.nvim_buf_get_name(vim.api.nvim_win_get_buf(win)), fname) then
      return win
    end
  end
  return nil
end

--- Text of lines `line1`..`line2` of `bufnr`; when they are exactly the last visual selection in
--- the current buffer, the charwise/blockwise column bounds of that selection are honoured.
---@param bufnr integer
---@param line1 integer 1-based, inclusive
---@param line2 integer 1-based, inclusive
---@return string
function M.range_text(bufnr, line1, line2)
  if bufnr == vim.api.nvim_get_current_buf() then
    local vstart, vend = vim.fn.getpos("'<"), vim.fn.getpos("'>")
    local mode = vim.fn.visualmode()
    if vstart[2] == line1 and vend[2] == line2 and (mode == 'v' or mode == '\22') then
      return table.concat(vim.fn.getregion(vstart, vend, { type = mode }), '\n')
    end
  end
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, line1 - 1, line2, false), '\n')
end

---@class lockstep.NewMigrationOpts
---@field description string
---@field sql? string
---@field bufnr? integer buffer whose Lockstep client runs the command (default: current)
---@field on_done? fun(uri: string) called once the file exists and is shown

--- Create the next migration (`lockstep.newMigration`). The server creates the file with a
--- WorkspaceEdit and asks Neovim to show it; this opens it too in case it is not shown yet.
---@param opts lockstep.NewMigrationOpts
function M.new_migration(opts)
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local client, why = M.client_for(bufnr, M.commands.new_migration)
  if not client then
    notify(why, vim.log.levels.ERROR)
    return
  end
  local args = { description = opts.description }
  if opts.sql and opts.sql ~= '' then
    args.sql = opts.sql
  end
  -- The buffer's file names its Supabase project when the workspace has several.
  if vim.bo[bufnr].buftype == '' and vim.api.nvim_buf_get_name(bufnr) ~= '' then
    args.uri = vim.uri_from_bufnr(bufnr)
  end
  execute(client, bufnr, M.commands.new_migration, { args }, function(_, result)
    local uri = type(result) == 'string' and result or (type(result) == 'table' and result.uri)
    if type(uri) ~= 'string' then
      notify('the server did not return the new migration', vim.log.levels.WARN)
      return
    end
    local fname = vim.uri_to_fname(uri)
    local win = shown_in_window(fname)
    if win then
      vim.api.nvim_set_current_win(win)
    else
      -- Like the window/showDocument handler: works even if the current buffer is modified.
      vim.lsp.util.show_document({ uri = uri }, client.offset_encoding, { reuse_win = true, focus = true })
    end
    -- Neovim's CreateFile only adds a buffer when `ignoreIfExists` is set, so the file may not
    -- be on disk yet; write it, or the next migration would reuse its number.
    if not vim.uv.fs_stat(fname) then
      local new_buf = vim.uri_to_bufnr(uri)
      vim.fn.bufload(new_buf)
      vim.api.nvim_buf_call(new_buf, function()
        vim.cmd('silent write')
      end)
    end
    notify('created ' .. vim.fn.fnamemodify(fname, ':~:.'))
    if opts.on_done then
      opts.on_done(uri)
    end
  end)
end

---@param category string
---@return string
local function display_category(category)
  return '[' .. category .. ']'
end

--- Quickfix items for a `lockstep.consumers` answer, grouped by category (categories sorted,
--- positions sorted within each), each text prefixed with `[category]`.
---@param result {category: string, uri: string, range: lsp.Range}[]
---@param position_encoding string
---@return vim.quickfix.entry[]
function M.consumer_items(result, position_encoding)
  local groups = {} ---@type table<string, lsp.Location[]>
  for _, entry in ipairs(result or {}) do
    local category = entry.category or 'other'
    groups[category] = groups[category] or {}
    table.insert(groups[category], { uri = entry.uri, range = entry.range })
  end
  local items = {}
  for category, locations in vim.spairs(groups) do
    for _, item in ipairs(vim.lsp.util.locations_to_items(locations, position_encoding)) do
      item.text = display_category(category) .. ' ' .. vim.trim(item.text or '')
      table.insert(items, item)
    end
  end
  return items
end

---@class lockstep.ConsumersOpts
---@field bufnr? integer
---@field open? boolean open the quickfix window (default true)
---@field on_done? fun(items: vim.quickfix.entry[])

--- Fill the quickfix list with every place that reads or writes `table_name`.
---@param table_name string
---@param opts? lockstep.ConsumersOpts
function M.consumers(table_name, opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local client, why = M.client_for(bufnr, M.commands.consumers)
  if not client then
    notify(why, vim.log.levels.ERROR)
    return
  end
  local args = { table = table_name }
  if vim.bo[bufnr].buftype == '' and vim.api.nvim_buf_get_name(bufnr) ~= '' then
    args.uri = vim.uri_from_bufnr(bufnr) -- its Supabase project, when the workspace has several
  end
  execute(client, bufnr, M.commands.consumers, { args }, function(_, result)
    local items = M.consumer_items(result or {}, client.offset_encoding)
    vim.fn.setqflist({}, ' ', { title = 'Lockstep consumers of ' .. table_name, items = items })
    if #items == 0 then
      notify('no consumers of ' .. table_name)
    elseif opts.open ~= false then
      vim.cmd('botright copen')
    end
    if opts.on_done then
      opts.on_done(items)
    end
  end)
end

--- The table name under the cursor: the word, without quotes or a `schema.` prefix.
---@return string
function M.table_under_cursor()
  local word = vim.fn.expand('<cword>')
  word = word:gsub('^[%s\'"`]+', ''):gsub('[%s\'"`]+$', '')
  return (word:gsub('^.*%.', ''))
end

--- Create the user commands. Used as (or called from) the client's `on_attach`. They are
--- global, so they work from any buffer (the quickfix window `:LockstepConsumers` opened, a
--- file no server serves): the current buffer's Lockstep client runs them, else any.
---@param _ vim.lsp.Client
---@param bufnr integer
function M.on_attach(_, bufnr)
  vim.api.nvim_create_user_command('LockstepNewMigration', function(cmd)
    local here = vim.api.nvim_get_current_buf()
    local sql = nil
    if cmd.range > 0 then
      sql = M.range_text(here, cmd.line1, cmd.line2)
    end
    M.new_migration({ description = cmd.args, sql = sql, bufnr = here })
  end, {
    nargs = '+',
    range = true,
    desc = 'Lockstep: create the next migration (with the selected SQL)',
  })

  vim.api.nvim_create_user_command('LockstepConsumers', function(cmd)
    local name = vim.trim(cmd.args)
    if name == '' then
      name = M.table_under_cursor()
    end
    if name == '' then
      notify('no table name given and none under the cursor', vim.log.levels.ERROR)
      return
    end
    M.consumers(name, { bufnr = vim.api.nvim_get_current_buf() })
  end, {
    nargs = '?',
    desc = 'Lockstep: list the consumers of a table in the quickfix list',
  })
end

return M
