// The keyplan extension: starts `keyplan lsp` and connects VS Code to it.
// Plain JavaScript with no dependencies (no npm install): a small LSP client
// over the server's stdio — diagnostics, hover, go to definition, references,
// completion, outline, formatting, rename and quick fixes. docs/editors.md.
'use strict';
const vscode = require('vscode');
const { spawn } = require('child_process');

let server = null;

class Connection {
  constructor(command, args) {
    this.nextId = 1;
    this.pending = new Map();
    this.buffer = Buffer.alloc(0);
    this.onNotification = () => {};
    this.proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk) => this.receive(chunk));
    this.proc.on('error', (e) => vscode.window.showErrorMessage(`keyplan lsp: ${e.message}`));
  }
  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = this.buffer.slice(0, end).toString('ascii');
      const m = /content-length:\s*(\d+)/i.exec(header);
      const length = m ? parseInt(m[1], 10) : 0;
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.slice(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.slice(end + 4 + length);
      let msg;
      try { msg = JSON.parse(body); } catch (e) { continue; }
      if (msg.id !== undefined && !msg.method) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (p) msg.error ? p.reject(new Error(msg.error.message)) : p.resolve(msg.result);
      } else if (msg.method) {
        this.onNotification(msg.method, msg.params);
      }
    }
  }
  send(message) {
    const body = Buffer.from(JSON.stringify(Object.assign({ jsonrpc: '2.0' }, message)), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }
  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ id, method, params });
    });
  }
  notify(method, params) { this.send({ method, params }); }
}

const toPosition = (p) => new vscode.Position(p.line, p.character);
const toRange = (r) => new vscode.Range(toPosition(r.start), toPosition(r.end));
const fromPosition = (p) => ({ line: p.line, character: p.character });
const toLocation = (l) => new vscode.Location(vscode.Uri.parse(l.uri), toRange(l.range));
const docParams = (doc, pos) => ({
  textDocument: { uri: doc.uri.toString() },
  position: pos ? fromPosition(pos) : undefined,
});
function toWorkspaceEdit(we) {
  const edit = new vscode.WorkspaceEdit();
  for (const [uri, edits] of Object.entries((we && we.changes) || {}))
    for (const e of edits) edit.replace(vscode.Uri.parse(uri), toRange(e.range), e.newText);
  return edit;
}
function toSymbol(s) {
  const sym = new vscode.DocumentSymbol(s.name, s.detail || '', (s.kind || 1) - 1,
    toRange(s.range), toRange(s.selectionRange));
  sym.children = (s.children || []).map(toSymbol);
  return sym;
}

async function activate(context) {
  const config = vscode.workspace.getConfiguration('keyplan');
  const args = ['lsp'];
  for (const dir of config.get('modulePath') || []) args.push('--path', dir);
  server = new Connection(config.get('path') || 'keyplan', args);
  const diagnostics = vscode.languages.createDiagnosticCollection('keyplan');
  context.subscriptions.push(diagnostics);
  const lspDiagnostics = new Map(); // uri -> the server's diagnostics (for quick fixes)
  server.onNotification = (method, params) => {
    if (method !== 'textDocument/publishDiagnostics') return;
    lspDiagnostics.set(params.uri, params.diagnostics);
    diagnostics.set(vscode.Uri.parse(params.uri), params.diagnostics.map((d) => {
      const v = new vscode.Diagnostic(toRange(d.range), d.message, (d.severity || 1) - 1);
      v.source = 'keyplan';
      return v;
    }));
  };
  await server.request('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    clientInfo: { name: 'vscode-keyplan' },
  });
  server.notify('initialized', {});

  const isKeyplan = (doc) => doc.languageId === 'keyplan';
  const open = (doc) => isKeyplan(doc) && server.notify('textDocument/didOpen', {
    textDocument: { uri: doc.uri.toString(), languageId: 'keyplan', version: doc.version, text: doc.getText() },
  });
  vscode.workspace.textDocuments.forEach(open);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(open),
    vscode.workspace.onDidChangeTextDocument((e) => isKeyplan(e.document) &&
      server.notify('textDocument/didChange', {
        textDocument: { uri: e.document.uri.toString(), version: e.document.version },
        contentChanges: [{ text: e.document.getText() }],
      })),
    vscode.workspace.onDidSaveTextDocument((doc) => isKeyplan(doc) &&
      server.notify('textDocument/didSave', { textDocument: { uri: doc.uri.toString() } })),
    vscode.workspace.onDidCloseTextDocument((doc) => isKeyplan(doc) &&
      server.notify('textDocument/didClose', { textDocument: { uri: doc.uri.toString() } })));

  const selector = { language: 'keyplan' };
  const L = vscode.languages;
  context.subscriptions.push(
    L.registerHoverProvider(selector, { provideHover: async (doc, pos) => {
      const h = await server.request('textDocument/hover', docParams(doc, pos));
      return h && new vscode.Hover(new vscode.MarkdownString(h.contents.value), h.range && toRange(h.range));
    } }),
    L.registerDefinitionProvider(selector, { provideDefinition: async (doc, pos) =>
      ((await server.request('textDocument/definition', docParams(doc, pos))) || []).map(toLocation) }),
    L.registerReferenceProvider(selector, { provideReferences: async (doc, pos, ctx) =>
      ((await server.request('textDocument/references', Object.assign(docParams(doc, pos),
        { context: { includeDeclaration: ctx.includeDeclaration } }))) || []).map(toLocation) }),
    L.registerCompletionItemProvider(selector, { provideCompletionItems: async (doc, pos) => {
      const r = await server.request('textDocument/completion', docParams(doc, pos));
      return ((r && r.items) || []).map((i) => {
        const item = new vscode.CompletionItem(i.label, (i.kind || 1) - 1);
        item.detail = i.detail;
        return item;
      });
    } }, '.'),
    L.registerDocumentSymbolProvider(selector, { provideDocumentSymbols: async (doc) =>
      ((await server.request('textDocument/documentSymbol', docParams(doc))) || []).map(toSymbol) }),
    L.registerDocumentFormattingEditProvider(selector, { provideDocumentFormattingEdits: async (doc) =>
      ((await server.request('textDocument/formatting', Object.assign(docParams(doc),
        { options: { tabSize: 2, insertSpaces: true } }))) || [])
        .map((e) => vscode.TextEdit.replace(toRange(e.range), e.newText)) }),
    L.registerRenameProvider(selector, { provideRenameEdits: async (doc, pos, newName) =>
      toWorkspaceEdit(await server.request('textDocument/rename',
        Object.assign(docParams(doc, pos), { newName }))) }),
    L.registerCodeActionsProvider(selector, { provideCodeActions: async (doc, range) => {
      const uri = doc.uri.toString();
      const inRange = (lspDiagnostics.get(uri) || []).filter((d) => toRange(d.range).intersection(range));
      const actions = await server.request('textDocument/codeAction', {
        textDocument: { uri }, range: { start: fromPosition(range.start), end: fromPosition(range.end) },
        context: { diagnostics: inRange },
      });
      return (actions || []).map((a) => {
        const action = new vscode.CodeAction(a.title, vscode.CodeActionKind.QuickFix);
        action.edit = toWorkspaceEdit(a.edit);
        action.isPreferred = a.isPreferred;
        return action;
      });
    } }));
}

async function deactivate() {
  if (!server) return;
  try { await server.request('shutdown', null); } catch (e) { /* already gone */ }
  server.notify('exit', null);
  server = null;
}

module.exports = { activate, deactivate };
