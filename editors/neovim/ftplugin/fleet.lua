-- Settings for fleet buffers: `//` comments, two spaces of indentation (the layout
-- `fleet fmt` prints).
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

vim.bo.commentstring = '// %s'
-- `///` and `//!` doc comments go on when a line is wrapped or `o` is pressed.
vim.bo.comments = ':///,://!,://'
-- Comments wrap and go on; code does not wrap.
local formatoptions = vim.bo.formatoptions:gsub('t', '')
for flag in ('croqj'):gmatch('.') do
  if not formatoptions:find(flag, 1, true) then
    formatoptions = formatoptions .. flag
  end
end
vim.bo.formatoptions = formatoptions
vim.bo.shiftwidth = 2
vim.bo.softtabstop = 2
vim.bo.tabstop = 2
vim.bo.expandtab = true
-- `payment-service` is one word for `w`, `*` and completion.
vim.bo.iskeyword = vim.bo.iskeyword .. ',-'

vim.b.undo_ftplugin = 'setlocal commentstring< comments< formatoptions< shiftwidth< softtabstop< tabstop< expandtab< iskeyword<'
