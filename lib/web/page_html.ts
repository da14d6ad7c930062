/** The page's HTML and style: everything it shows is drawn by page.ts. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sqlink cas-cache</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1b1b; }
  h1 { font-size: 1.4em; margin: 0 0 .3em; }
  h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
  h3 { font-size: 1em; margin: .6em 0 .2em; }
  code, .sethash { font-family: ui-monospace, monospace; font-size: 12px; }
  table { border-collapse: collapse; margin: .3em 0; }
  th, td { text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid #ddd; }
  th { font-weight: 600; font-size: 12px; }
  #drop { border: 2px dashed #888; padding: 1em; margin: .8em 0; border-radius: 6px; }
  #drop.over { background: #eef5ff; border-color: #36c; }
  .warning { background: #fff4d6; border: 1px solid #e0b400; padding: .4em .6em; }
  .native { background: #f2f2f2; border-left: 4px solid #888; padding: .4em .6em; }
  .error { color: #a00; margin: .2em 0; }
  .hint { color: #555; }
  .note { color: #064; margin: .2em 0; font-family: ui-monospace, monospace; font-size: 12px; }
  .empty { color: #666; }
</style>
</head>
<body data-state="loading">
<h1>sqlink cas-cache</h1>
<p id="storage">Opening the cache…</p>
<div id="notice"></div>
<p class="native" id="native-notice">This page runs SQLite compiled to WebAssembly, which cannot load
native extensions (.so, .dylib, .dll): it keeps, verifies and exports them, and the sqlink command
line loads them.</p>
<div id="drop">Drop extension files (.so, .dylib, .dll) or a bundle archive made by
<code>sqlink cas export</code> here, or <input type="file" id="files" multiple>
<button type="button" id="verify">Verify the whole cache</button>
<div><label>Signing key (as <code>SQLINK_SIGNING_KEY</code>: imports must be signed with it,
exports are signed) <input type="password" id="signing-key" autocomplete="off"></label></div></div>
<button type="button" id="take-over" hidden>Take the cache over</button>
<div id="messages"></div>
<p id="summary"></p>
<h2>Bundles</h2><div id="bundles"></div>
<h2>Artifacts</h2><div id="artifacts"></div>
<h2>URIs</h2><div id="uris"></div>
<script type="module" src="page.js"></script>
</body>
</html>
`;
