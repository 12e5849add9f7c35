/** /docs: the OpenAPI document rendered on the server (no scripts, nothing fetched from elsewhere). */
import { html, raw } from 'hono/html';

interface Doc {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, { summary?: string; description?: string; parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[]; requestBody?: { content: Record<string, { schema?: unknown }> }; responses?: Record<string, { description?: string }> }>>;
}

export function docsPage(doc: Doc) {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${doc.info.title}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f6f6f6;padding:.5rem;overflow:auto;max-height:20rem}
.op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}.m{font-weight:bold;display:inline-block;min-width:4rem}
.GET{color:#06c}.POST{color:#080}</style></head>
<body><h1>${doc.info.title}</h1><p>${doc.info.description ?? ''}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> · Review page: <a href="/review">/review</a> · Health: <a href="/healthz">/healthz</a></p>
${ops.map(
  ({ path, method, op }) => html`<section class="op"><h3><span class="m ${method}">${method}</span> <code>${path}</code></h3>
<p>${op.summary ?? ''}</p>${op.description ? html`<p>${op.description}</p>` : ''}
${op.parameters?.length ? html`<p>Parameters: ${op.parameters.map((p) => html`<code>${p.name}</code> (${p.in}${p.required ? ', required' : ''}) `)}</p>` : ''}
${op.requestBody ? html`<details><summary>Request body: ${Object.keys(op.requestBody.content).join(', ')}</summary><pre>${JSON.stringify(Object.values(op.requestBody.content)[0]?.schema ?? {}, null, 2)}</pre></details>` : ''}
<p>Responses: ${raw(Object.keys(op.responses ?? {}).map((s) => `<code>${s}</code>`).join(' '))}</p></section>`,
)}
</body></html>`;
}
