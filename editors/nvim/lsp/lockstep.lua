-- Lockstep language server configuration for Neovim 0.11+ (`:help lsp-config`).
--
-- Put `editors/nvim` on 'runtimepath' and call `vim.lsp.enable('lockstep')`.
-- Override any field with `vim.lsp.config('lockstep', { ... })`, e.g. `cmd`.

-- A folder holding `supabase/config.toml` (the Supabase CLI project), not any `supabase/`.
local markers = { 'lockstep.toml', 'supabase/config.toml', 'supabase/migrations', '.git' }

---@type vim.lsp.Config
return {
  cmd = { 'lockstep-lsp' },
  filetypes = { 'sql', 'typescript', 'typescriptreact', 'toml' },
  -- Kept for tools that read it (and for documentation); `root_dir` below takes precedence.
  root_markers = markers,
  workspace_required = true,
  -- Markers are tried in priority order (a `lockstep.toml` wins over an enclosing `.git`),
  -- and TOML buffers attach only when they are `lockstep.toml` itself.
  root_dir = function(bufnr, on_dir)
    local root = require('lockstep').find_root(bufnr, markers)
    if root then
      on_dir(root)
    end
  end,
  on_attach = function(client, bufnr)
    require('lockstep').on_attach(client, bufnr)
  end,
}
