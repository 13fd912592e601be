-- Run by tests/lsp_neovim_test.cpp: `nvim --headless --clean -u nvim_attach.lua`
-- opens KP_FILE, attaches `KP_BIN lsp` with vim.lsp.start_client, waits for
-- the diagnostics it publishes, asks for a hover at KP_LINE:KP_CHAR, and
-- writes what it received to KP_OUT as JSON, then quits.
local results = {}
local function finish()
  local f = io.open(os.getenv('KP_OUT'), 'w')
  f:write(vim.fn.json_encode(results))
  f:close()
  vim.cmd('qall!')
end
local ok, err = pcall(function()
  local file = os.getenv('KP_FILE')
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(buf)
  local published
  local id = vim.lsp.start_client({
    name = 'keyplan',
    cmd = { os.getenv('KP_BIN'), 'lsp' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(e, result, ctx, config)
        if result.uri == uri then published = result.diagnostics end
        vim.lsp.diagnostic.on_publish_diagnostics(e, result, ctx, config)
      end,
    },
  })
  vim.lsp.buf_attach_client(buf, id)
  results.got_diagnostics = vim.wait(30000, function() return published ~= nil end, 20)
  results.diagnostics = published or {}
  results.buffer_diagnostics = #vim.diagnostic.get(buf)
  local client = vim.lsp.get_client_by_id(id)
  local resp = client.request_sync('textDocument/hover', {
    textDocument = { uri = uri },
    position = { line = tonumber(os.getenv('KP_LINE')), character = tonumber(os.getenv('KP_CHAR')) },
  }, 30000, buf)
  results.hover = resp and resp.result or vim.NIL
  client.stop()
  vim.wait(5000, function() return client.is_stopped() end, 20)
end)
if not ok then results.error = tostring(err) end
finish()
