-- `.fleet` files are fleet files.
vim.filetype.add({ extension = { fleet = 'fleet' } })
