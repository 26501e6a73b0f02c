/**
 * The HTML viewer of the OpenAPI document at /api/docs (for a browser; a
 * program asking for JSON gets the document itself). Rendered on the
 * server, without scripts, so that it passes the Content-Security-Policy.
 */
const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Op {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string }>;
}

export function renderDocsHtml(doc: {
  info?: { title?: string; description?: string };
  paths?: Record<string, Record<string, Op>>;
}): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths ?? {}))
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? "Autres";
      const params = (op.parameters ?? [])
        .map((p) => `<code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", requis" : ""})`)
        .join(", ");
      const body = op.requestBody?.content ? Object.keys(op.requestBody.content).map(esc).join(", ") : "";
      const responses = Object.entries(op.responses ?? {})
        .map(([st, r]) => `<span title="${esc(r.description)}">${esc(st)}</span>`)
        .join(" ");
      const row = `<tr id="${esc(op.operationId)}"><td><b>${esc(method.toUpperCase())}</b></td><td><code>${esc(path)}</code>${op.security ? " <small>(publique)</small>" : ""}</td><td>${esc(op.summary)}<br><small><code>${esc(op.operationId)}</code></small></td><td>${params}</td><td>${body}</td><td>${responses}</td></tr>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), row]);
    }
  const sections = [...byTag]
    .map(
      ([tag, rows]) =>
        `<h2>${esc(tag)}</h2><table><thead><tr><th>Méthode</th><th>Chemin</th><th>Opération</th><th>Paramètres</th><th>Corps</th><th>Réponses</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
    )
    .join("");
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${esc(doc.info?.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}table{border-collapse:collapse;width:100%;margin-bottom:2rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}code{font-size:.9em}</style></head>
<body><h1>${esc(doc.info?.title)}</h1><p>${esc(doc.info?.description)}</p><p>Document OpenAPI 3.1 : <a href="/api/docs?format=json">/api/docs?format=json</a> (ou en-tête <code>Accept: application/json</code>).</p>${sections}</body></html>`;
}
