// The mesh console: polls /console/api/overview and draws the service graph (SVG), the proxies'
// sync status and the config objects. Everything is built with DOM APIs and textContent: names
// come from user config and proxies, never from trusted HTML.
"use strict";

const REFRESH_MS = 3000;
const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 170, NODE_H = 46, COL_GAP = 210, ROW_GAP = 44, PAD = 24;

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const fmtRate = r => r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
const fmtPct = s => s === null || s === undefined ? "–" : (s * 100).toFixed(s >= 0.9995 || s === 0 ? 0 : 1) + "%";
const fmtMs = m => m === null || m === undefined ? "–" : m >= 100 ? m.toFixed(0) + " ms" : m.toFixed(1) + " ms";
const securityMark = s => s === "mutual_tls" ? "mTLS" : s === "none" ? "plaintext" : s === "mixed" ? "mixed mTLS/plaintext" : "unknown";
const measuring = e => e.window_seconds === 0;

function edgeClass(e) {
  if (measuring(e) || e.window_requests === 0) return "idle";
  if (e.success_rate === null || e.success_rate === undefined) return "idle";
  return e.success_rate >= 0.99 ? "ok" : e.success_rate >= 0.95 ? "warn" : "bad";
}

function bezier(t, x0, y0, x1, y1, x2, y2, x3, y3) {
  const u = 1 - t;
  return {
    x: u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3,
    y: u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3,
  };
}

// Columns by call depth: callers left, callees right (breadth-first from nodes nobody calls).
function layout(graph) {
  const inbound = new Map(graph.nodes.map(n => [n.id, 0]));
  const out = new Map(graph.nodes.map(n => [n.id, []]));
  for (const e of graph.edges) {
    if (e.source === e.destination) continue;
    inbound.set(e.destination, (inbound.get(e.destination) || 0) + 1);
    out.get(e.source)?.push(e.destination);
  }
  const depth = new Map();
  let queue = graph.nodes.filter(n => inbound.get(n.id) === 0).map(n => n.id);
  if (queue.length === 0 && graph.nodes.length) queue = [graph.nodes[0].id];
  queue.forEach(id => depth.set(id, 0));
  while (queue.length) {
    const id = queue.shift();
    for (const next of out.get(id) || []) {
      if (!depth.has(next)) { depth.set(next, depth.get(id) + 1); queue.push(next); }
    }
  }
  for (const n of graph.nodes) if (!depth.has(n.id)) depth.set(n.id, 0);
  const columns = [];
  for (const n of graph.nodes) {
    const d = depth.get(n.id);
    (columns[d] = columns[d] || []).push(n);
  }
  const pos = new Map();
  let height = 0;
  columns.forEach((col, c) => {
    col.sort((a, b) => a.app.localeCompare(b.app) || a.version.localeCompare(b.version) || a.id.localeCompare(b.id));
    col.forEach((n, r) => pos.set(n.id, { x: PAD + c * (NODE_W + COL_GAP), y: PAD + r * (NODE_H + ROW_GAP), depth: c }));
    height = Math.max(height, PAD * 2 + col.length * (NODE_H + ROW_GAP));
  });
  const width = PAD * 2 + Math.max(1, columns.length) * (NODE_W + COL_GAP) - COL_GAP;
  return { pos, width, height: Math.max(height, 120) };
}

function drawGraph(graph) {
  const root = document.getElementById("graph");
  root.replaceChildren();
  document.getElementById("graph-empty").hidden = graph.edges.length > 0;
  const { pos, width, height } = layout(graph);
  root.setAttribute("width", width);
  root.setAttribute("height", height);
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);

  const outDegree = new Map(), inDegree = new Map();
  for (const e of graph.edges) {
    outDegree.set(e.source, (outDegree.get(e.source) || 0) + 1);
    inDegree.set(e.destination, (inDegree.get(e.destination) || 0) + 1);
  }
  const edges = svg("g", { class: "edges" });
  for (const e of graph.edges) {
    const a = pos.get(e.source), b = pos.get(e.destination);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2;
    const bend = b.depth > a.depth ? (x2 - x1) / 2 : 80;
    const d = b.depth > a.depth
      ? `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`
      : `M${x1},${y1} C${x1 + bend},${y1 - 60} ${x2 - bend},${y2 - 60} ${x2},${y2}`;
    const g = svg("g", {
      class: `edge ${edgeClass(e)}${e.reporter === "destination" ? "" : " unreported"}`,
      "data-source": e.source, "data-destination": e.destination,
      "data-rps": e.requests_per_second, "data-window": e.window_seconds, "data-security": e.security,
    });
    g.appendChild(svg("path", { d, "marker-end": "url(#arrow)" }));
    // Labels sit where edges part: near the callee when a node fans out, near the caller when edges fan in.
    const t = (outDegree.get(e.source) || 0) >= (inDegree.get(e.destination) || 0) ? 0.7 : 0.3;
    const at = b.depth > a.depth ? bezier(t, x1, y1, x1 + bend, y1, x2 - bend, y2, x2, y2) : { x: (x1 + x2) / 2, y: Math.min(y1, y2) - 48 };
    const text = svg("text", { x: at.x, y: at.y - 16, "text-anchor": "middle" });
    const first = measuring(e) ? "measuring…" : `${fmtRate(e.requests_per_second)} rps · ${fmtPct(e.success_rate)}`;
    const second = `p50 ${fmtMs(e.p50_ms)} · p99 ${fmtMs(e.p99_ms)}`;
    text.appendChild(svg("tspan", { x: at.x, dy: 0 }, first));
    text.appendChild(svg("tspan", { x: at.x, dy: 13 }, second));
    if (e.security === "mutual_tls" || e.security === "none") {
      text.appendChild(svg("tspan", { x: at.x, dy: 13, class: e.security === "mutual_tls" ? "mtls" : "plaintext" }, securityMark(e.security)));
    }
    text.appendChild(svg("title", {}, `${e.source} → ${e.destination} (${e.services.join(", ")}, ${e.protocol}, ${securityMark(e.security)}; reported by ${e.reporter}; ${e.total_requests} requests in total)`));
    g.appendChild(text);
    edges.appendChild(g);
  }

  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#6b7385" }));
  defs.appendChild(marker);
  root.appendChild(defs);
  root.appendChild(edges);

  const nodes = svg("g", { class: "nodes" });
  for (const n of graph.nodes) {
    const p = pos.get(n.id);
    const g = svg("g", { class: `node ${n.kind}`, transform: `translate(${p.x},${p.y})`, "data-id": n.id });
    g.appendChild(svg("rect", { width: NODE_W, height: NODE_H, rx: 6 }));
    g.appendChild(svg("text", { class: "name", x: 10, y: 19 }, n.version ? `${n.app} ${n.version}` : n.app));
    const sub = n.kind === "unknown" ? "outside the mesh" : `${n.namespace}${n.kind === "gateway" ? " · gateway" : n.kind === "workload" ? " · no proxy" : ""}`;
    g.appendChild(svg("text", { class: "sub", x: 10, y: 36 }, sub));
    g.appendChild(svg("title", {}, `${n.id}: ${fmtRate(n.requests_per_second)} requests/s in`));
    nodes.appendChild(g);
  }
  root.appendChild(nodes);
}

function row(cells) {
  const tr = el("tr");
  for (const c of cells) {
    if (c instanceof Node) { const td = el("td"); td.appendChild(c); tr.appendChild(td); }
    else if (c && typeof c === "object") tr.appendChild(el("td", c.attrs || {}, c.text));
    else tr.appendChild(el("td", {}, c ?? ""));
  }
  return tr;
}

const badge = (cls, text) => el("span", { class: `badge ${cls}` }, text);
const num = text => ({ attrs: { class: "num" }, text });

function drawEdgesTable(graph) {
  const body = document.querySelector("#edges tbody");
  body.replaceChildren(...graph.edges.map(e => row([
    e.source, e.destination, e.services.join(", "), num(measuring(e) ? "…" : fmtRate(e.requests_per_second)), num(fmtPct(e.success_rate)),
    num(fmtMs(e.p50_ms)), num(fmtMs(e.p99_ms)), securityMark(e.security), num(e.total_requests),
  ])));
}

function drawProxies(proxies) {
  const body = document.querySelector("#proxies tbody");
  body.replaceChildren(...proxies.map(p => {
    const details = [p.nack_error && `NACK: ${p.nack_error}`, p.build_error && `build: ${p.build_error}`, p.stats_error && `stats: ${p.stats_error}`]
      .filter(Boolean).join("\n");
    const rate = p.inbound_requests_per_second;
    const tr = row([p.id, p.workload, p.kind, badge(p.status, p.status),
      { attrs: { class: "num", "data-inbound-rps": rate ?? "" }, text: rate === null || rate === undefined ? "–" : fmtRate(rate) },
      num(fmtPct(p.inbound_success_rate)), num(p.inbound_requests),
      el("span", { class: "mono" }, p.sent_version || "–"), el("span", { class: "mono" }, p.acked_version || "–"), details]);
    tr.dataset.proxy = p.id;
    tr.dataset.status = p.status;
    return tr;
  }));
}

function drawConfig(config) {
  document.getElementById("generation").textContent = (config.accepted
    ? `generation ${config.generation} from ${config.accepted_from}`
    : "no configuration accepted yet: nothing is pushed to proxies")
    + (config.files_in_sync ? "" : " · config directory has a refused change");
  const rejection = document.getElementById("rejection");
  const refused = config.rejected.map(r => `Refused source ${r.source} (since ${new Date(r.at).toLocaleTimeString()}):\n${r.errors.join("\n")}`);
  if (config.rejection && !config.rejected.some(r => config.rejection.errors.every(e => r.errors.includes(e)))) {
    refused.push(`Refused change (${config.rejection.source}, ${new Date(config.rejection.at).toLocaleTimeString()}):\n${config.rejection.errors.join("\n")}`);
  }
  rejection.hidden = refused.length === 0;
  rejection.textContent = refused.length === 0 ? "" : `${refused.join("\n\n")}\nThe last valid configuration keeps serving.`;
  const body = document.querySelector("#config tbody");
  body.replaceChildren(...config.objects.map(o => {
    const state = el("div");
    state.appendChild(badge(o.validation, o.validation.replace("_", " ")));
    for (const e of o.errors) state.appendChild(el("div", { class: "error mono" }, e));
    return row([o.kind, o.namespace, o.name, o.source, num(o.generation ?? "–"), state]);
  }));
}

async function refresh() {
  const status = document.getElementById("status");
  try {
    const response = await fetch("/console/api/overview", { cache: "no-store" });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const overview = await response.json();
    document.getElementById("window").textContent = `(rates over the last ${overview.rate_window_seconds} s)`;
    drawGraph(overview.graph);
    drawEdgesTable(overview.graph);
    drawProxies(overview.proxies);
    drawSources(overview.proxies);
    drawConfig(overview.config);
    status.textContent = `updated ${new Date(overview.generated_at).toLocaleTimeString()}`;
    status.className = "muted";
    document.body.dataset.updated = overview.generated_at;
  } catch (err) {
    status.textContent = `cannot reach the control plane: ${err.message}`;
    status.className = "error";
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

// Explain a request: the form posts to /console/api/explain (the admin API's explain) and draws the
// summary and each hop's steps as meshctl explain prints them.
const text = (v, fallback = "") => v === null || v === undefined || v === "" ? fallback : typeof v === "object" ? JSON.stringify(v) : String(v);

function ended(explanation) {
  const outcome = explanation && explanation.outcome;
  if (!outcome || outcome.forwarded !== false) return null;
  return outcome.status ? `${outcome.status} ${text(outcome.reason)}` : text(outcome.reason);
}

function outcomeOf(answer) {
  const atSource = ended(answer.outbound);
  if (atSource) return `${atSource} (at the source's proxy)`;
  const hops = answer.inbound || [];
  if (hops.length === 0) return "forwarded";
  return hops.map(h => `${text(h.workload)}: ${(h.explanation && ended(h.explanation)) || (h.error ? `unknown (${h.error})` : "forwarded to the app")}`).join("; ");
}

function hopTable(title, explanation) {
  const hop = el("div", { class: "hop" });
  hop.appendChild(el("h3", {}, title));
  const table = el("table", { class: "steps" });
  table.appendChild(el("thead")).appendChild(row(["Stage", "Verdict", "Detail"]));
  const body = table.appendChild(el("tbody"));
  for (const step of explanation.steps || []) {
    const tr = row([step.stage, el("span", { class: `verdict ${text(step.verdict)}` }, text(step.verdict)), text(step.detail)]);
    tr.dataset.stage = step.stage;
    body.appendChild(tr);
    for (const item of step.items || []) {
      const sub = row([{ attrs: { class: "item" }, text: "" }, el("span", { class: `verdict ${text(item.verdict)}` }, text(item.verdict)), `${text(item.name)}: ${text(item.detail)}`]);
      sub.className = "item";
      body.appendChild(sub);
    }
  }
  hop.appendChild(table);
  return hop;
}

function drawExplanation(answer) {
  const result = (answer.outbound && answer.outbound.result) || {};
  const summary = document.getElementById("explain-summary");
  const pairs = [
    ["Request", `${text(answer.request.method)} ${text(answer.request.url)} from ${text(answer.from.workload)} (proxy ${text(answer.from.proxy)}, ${text(answer.from.principal)})`],
    ["VirtualService", text(result.virtual_service, "-")],
    ["Route", `${text(result.route, "-")} (virtual host ${text(result.virtual_host, "-")})`],
    result.cluster
      ? ["Destination", `subset ${text(result.subset, "-")} · cluster ${text(result.cluster)}`]
      : ["Destination", result.clusters ? `weighted, random per request: ${text(result.clusters)}` : "-"],
    ["Outcome", outcomeOf(answer)],
  ];
  summary.replaceChildren(...pairs.flatMap(([k, v]) => { const dd = el("dd", {}, v); dd.dataset.field = k.toLowerCase(); return [el("dt", {}, k), dd]; }));
  const hops = [hopTable(`Outbound at ${text(answer.from.proxy)} (listener ${text(result.listener)}, snapshot ${text(result.snapshot_version, "-")})`, answer.outbound || {})];
  for (const h of answer.inbound || []) {
    const title = `Inbound at ${text(h.proxy, "?")} (workload ${text(h.workload)}, endpoint ${text(h.endpoint)}, hop ${text(h.mtls)})`;
    if (h.explanation) hops.push(hopTable(title, h.explanation));
    else { const div = el("div", { class: "hop" }); div.appendChild(el("h3", {}, title)); div.appendChild(el("p", { class: "error" }, text(h.error))); hops.push(div); }
  }
  document.getElementById("explain-hops").replaceChildren(...hops);
  document.getElementById("explain-result").hidden = false;
}

function parseHeaders(lines) {
  const headers = [];
  for (const line of lines.split("\n").map(l => l.trim()).filter(Boolean)) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`header '${line}': write it as 'name: value'`);
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}

async function explain(event) {
  event.preventDefault();
  const error = document.getElementById("explain-error");
  error.hidden = true;
  document.body.dataset.explained = "";
  try {
    let url = document.getElementById("explain-url").value.trim();
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `http://${url}`;
    const request = {
      from: document.getElementById("explain-from").value.trim(),
      method: document.getElementById("explain-method").value,
      url,
      headers: parseHeaders(document.getElementById("explain-headers").value),
    };
    const response = await fetch("/console/api/explain", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request), cache: "no-store" });
    const answer = await response.json().catch(() => ({ message: `${response.status} ${response.statusText}` }));
    if (!response.ok) throw new Error(answer.message || `${response.status} ${response.statusText}`);
    drawExplanation(answer);
    document.body.dataset.explained = "ok";
  } catch (err) {
    document.getElementById("explain-result").hidden = true;
    error.textContent = err.message;
    error.hidden = false;
    document.body.dataset.explained = "error";
  }
}

// The source field suggests every proxy (explain also takes a workload or an app label).
function drawSources(proxies) {
  const names = [...new Set(proxies.map(p => p.id))].sort();
  document.getElementById("explain-sources").replaceChildren(...names.map(n => el("option", { value: n })));
}

document.getElementById("explain-form").addEventListener("submit", explain);
refresh();
