-- Neovim (0.7 or later): run `keyplan lsp` for keyplan buffers, one server
-- for all of them. Put editors/vim on the runtimepath (filetype and syntax:
-- `vim.opt.runtimepath:append('/path/to/keyplan/editors/vim')`), then source
-- this file from init.lua or copy it there. docs/editors.md.
local client_id
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'keyplan',
  callback = function(args)
    local config = {
      name = 'keyplan',
      cmd = { 'keyplan', 'lsp' },
      root_dir = vim.fn.getcwd(),
      -- init_options = { path = { '/path/to/more/modules' } },
    }
    if vim.lsp.start then -- 0.8 and later reuse a running server themselves
      vim.lsp.start(config, { bufnr = args.buf })
      return
    end
    if not client_id or not vim.lsp.get_client_by_id(client_id) then
      client_id = vim.lsp.start_client(config)
    end
    if client_id then vim.lsp.buf_attach_client(args.buf, client_id) end
  end,
})
