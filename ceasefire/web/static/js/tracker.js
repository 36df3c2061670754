// Implementation tracker: one calendar (Gantt with today's line and slips), the
// air-defence coverage map beside the interception-rate series, what is due.
import { drawBasemap, makeMap } from "./basemap.js";
import { api, chooseAgreement, el, showError, t } from "./common.js";

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = {
  met: "#4caf50", in_progress: "#5fa8ff", partly_met: "#f2c14e",
  disputed: "#c678dd", lapsed: "#ff5c5c", not_started: "#6b7785",
};
// the tracker's words live in the catalog under "tracker_…" (../i18n/*.json)
const w = (key) => t(`tracker_${key}`);

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function gantt(rows, today, todayLabel) {
  const dated = rows.filter((r) => r.due);
  const times = dated.flatMap((r) => [r.start, r.due, r.met_at].filter(Boolean).map((s) => Date.parse(s)));
  times.push(today.getTime());
  const first = Math.min(...times), last = Math.max(...times);
  const width = 1180, label = 300, rowH = 20, height = 30 + dated.length * rowH;
  const x = (t) => label + ((t - first) / Math.max(last - first, 1)) * (width - label - 20);
  const root = svg("svg", { class: "gantt", viewBox: `0 0 ${width} ${height + 16}`, width: "100%" });
  dated.forEach((r, i) => {
    const top = 20 + i * rowH;
    const start = r.start ? Date.parse(r.start) : first;
    const name = (r.milestone ? "   ↳ " : "") + r.step.split("/").pop() + ` (${r.party})`;
    root.append(svg("text", { x: r.milestone ? 16 : 4, y: top + 13 }, name));
    const bar = svg("rect", {
      x: x(start), y: top + 3, width: Math.max(x(Date.parse(r.due)) - x(start), 3), height: rowH - 7,
      fill: COLOURS[r.status], "fill-opacity": 0.85, rx: 2, class: r.slipped ? "slip" : "",
    });
    bar.append(svg("title", {}, `${r.what} — ${w(r.status)}${r.slipped ? `, ${w("slipped")}` : ""}, ${w("due_on")} ${r.due.slice(0, 10)}`));
    root.append(bar);
    if (r.met_at) root.append(svg("circle", { cx: x(Date.parse(r.met_at)), cy: top + 9, r: 4, fill: "#fff", stroke: "#4caf50" }));
  });
  root.append(svg("line", { x1: x(today), x2: x(today), y1: 8, y2: height, class: "today" }));
  root.append(svg("text", { x: x(today) + 4, y: 14, class: "today-label" }, `${w("today")} ${todayLabel}`));
  root.append(svg("text", { x: label, y: height + 12, class: "axis" }, new Date(first).toISOString().slice(0, 10)));
  root.append(svg("text", { x: width - 90, y: height + 12, class: "axis" }, new Date(last).toISOString().slice(0, 10)));
  return root;
}

function legend() {
  return el("p", { class: "legend" },
    Object.entries(COLOURS).map(([k, c]) => el("span", {}, el("i", { style: `background:${c}` }), w(k))),
    el("span", {}, el("i", { style: "border:2px solid #ff5c5c" }), w("slipped")));
}

function series(s) {
  const width = 560, height = 240, pad = 34;
  const values = s.points.map((p) => p.value);
  const known = values.filter((v) => v !== null);
  const root = svg("svg", { class: "series", viewBox: `0 0 ${width} ${height}`, width: "100%" });
  if (!known.length) {
    root.append(svg("text", { x: pad, y: height / 2 }, w("no_data")));
    return root;
  }
  const low = Math.min(...known, s.target) - 2, high = Math.max(...known, s.target, 100);
  const x = (i) => pad + (i / Math.max(values.length - 1, 1)) * (width - pad - 8);
  const y = (v) => height - pad + 10 - ((v - low) / (high - low)) * (height - pad - 10);
  root.append(svg("line", { x1: pad, x2: width - 8, y1: y(s.target), y2: y(s.target), stroke: "#4caf50", "stroke-dasharray": "4,3" }));
  root.append(svg("text", { x: width - 90, y: y(s.target) - 4 }, `${w("target")} ${s.target}${s.unit}`));
  let run = [];
  const flush = () => {
    if (run.length > 1) root.append(svg("polyline", { points: run.join(" "), fill: "none", stroke: "#5fa8ff", "stroke-width": 2 }));
    else if (run.length === 1) { const [cx, cy] = run[0].split(","); root.append(svg("circle", { cx, cy, r: 2.5, fill: "#5fa8ff" })); }
    run = [];
  };
  values.forEach((v, i) => { if (v === null) flush(); else run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`); });
  flush();
  for (const v of [Math.ceil(low), Math.round((low + high) / 2), Math.floor(high)]) {
    root.append(svg("text", { x: 2, y: y(v) + 3 }, `${v}`));
  }
  root.append(svg("text", { x: pad, y: height - 4 }, s.points[0].period_start));
  root.append(svg("text", { x: width - 70, y: height - 4 }, s.points.at(-1).period_start));
  return root;
}

async function coverage(agreementId, asOf) {
  const map = makeMap("coverage-map");
  await drawBasemap(map);
  const sites = await api(`/api/tracker/${agreementId}/coverage?as_of=${encodeURIComponent(asOf)}`);
  for (const f of sites.features) {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    L.circle([lat, lon], { radius: p.range_km * 1000, color: "#5fa8ff", weight: 1, fillOpacity: 0.15, pane: "zones" })
      .bindTooltip(`${p.city}: ${p.count} × ${p.system}, ${p.range_km} km`).addTo(map);
    L.circleMarker([lat, lon], { radius: 4, color: "#fff", weight: 1, fillColor: "#5fa8ff", fillOpacity: 1, pane: "incidents" })
      .bindTooltip(`${p.city}: ${p.count} × ${p.system}`, { permanent: true, direction: "right", className: "site-label" }).addTo(map);
  }
}

async function main() {
  const agreement = await chooseAgreement();
  if (!agreement) return;
  const params = new URLSearchParams(location.search);
  const asOf = params.get("as_of") ?? new Date().toISOString();
  const today = new Date(asOf);
  document.head.append(el("link", { rel: "stylesheet", href: "/static/css/tracker.css" }));
  const q = `as_of=${encodeURIComponent(asOf)}`;
  const [status, indicators] = await Promise.all([
    api(`/api/tracker/${agreement.id}/commitments?${q}`),
    api(`/api/tracker/${agreement.id}/indicators?${q}`),
  ]);
  const rate = indicators.find((s) => s.indicator === "interception-rate");
  const due = status.steps.filter((s) => status.due_30_days.includes(s.step));
  document.getElementById("main").replaceChildren(el("div", { class: "doc dashboard tracker" },
    el("section", { class: "card wide" },
      el("h2", {}, `${w("calendar")} — ${w("as_of")} ${asOf.slice(0, 10)}`), legend(), gantt(status.gantt, today, asOf.slice(0, 10)),
      el("p", {}, el("a", { href: `/api/tracker/${agreement.id}/report?${q}` }, w("report")))),
    el("section", { class: "card" }, el("h2", {}, w("coverage")), el("div", { id: "coverage-map", class: "map small" }), el("p", { class: "note" }, w("ranges"))),
    el("section", { class: "card" }, el("h2", {}, w("interception")), rate ? series(rate) : el("p", {}, w("no_data")), el("p", { class: "note" }, w("gaps"))),
    el("section", { class: "card wide" }, el("h2", {}, w("due")),
      due.length ? el("ul", {}, due.map((d) => el("li", {}, el("strong", {}, d.step), `: ${d.due.slice(0, 10)} (${w(d.status)})`)))
        : el("p", {}, w("nothing_due"))),
  ));
  await coverage(agreement.id, asOf).catch(showError);
  document.body.dataset.ready = "true";
}

main().catch(showError);
