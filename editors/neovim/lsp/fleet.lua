-- The fleet language server (`fleet lsp`, over stdio), for Neovim 0.11+:
-- with this folder on 'runtimepath', `vim.lsp.enable('fleet')` turns it on, and
-- `vim.lsp.config('fleet', { ... })` overrides any key.
--
-- The server takes the folder it is started in (the root) as the fleet: the
-- `.fleet` files of that folder, and the library folders they import. A fleet has
-- no marker file of its own, so the root is found by content: the nearest folder,
-- from the file's own upwards but not past the Git repository that holds it, with
-- a `.fleet` file that declares the fleet (`fleet acme { ... }` in column 0; a
-- library folder has none). Failing that, the file's own folder.

--- Whether a `.fleet` file of `dir` has a `fleet` declaration.
local function declares_fleet(dir)
  for name, kind in vim.fs.dir(dir) do
    if (kind == 'file' or kind == 'link') and name:match('%.fleet$') then
      local file = io.open(dir .. '/' .. name, 'r')
      if file then
        for line in file:lines() do
          if line:match('^fleet%s+[%w_"]') then
            file:close()
            return true
          end
        end
        file:close()
      end
    end
  end
  return false
end

return {
  cmd = { 'fleet', 'lsp' },
  filetypes = { 'fleet' },
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    local own = name ~= '' and vim.fs.dirname(name) or vim.fn.getcwd()
    local repository = vim.fs.root(bufnr, { '.git' })
    local dir = own
    while dir do
      if declares_fleet(dir) then
        return on_dir(dir)
      end
      local parent = vim.fs.dirname(dir)
      if dir == repository or parent == dir then
        break
      end
      dir = parent
    end
    on_dir(own)
  end,
}
