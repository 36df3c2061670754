// Breaches per day by party or clause (SVG chart), a table by clause, and the coverage map.
import { drawBasemap, makeMap } from "./basemap.js";
import { SERIES_COLOURS, stackedBars } from "./chart.js";
import { api, chooseAgreement, el, lang, showError, t } from "./common.js";

function byClause(rows) {
  const counts = new Map();
  for (const r of rows) {
    const key = `${r.clause}\u0000${r.party ?? "–"}`;
    counts.set(key, (counts.get(key) ?? 0) + r.count);
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (!sorted.length) return el("p", { class: "status" }, t("no_breaches"));
  return el("table", {},
    el("thead", {}, el("tr", {}, el("th", {}, t("clause")), el("th", {}, t("party")), el("th", { class: "num" }, t("count")))),
    el("tbody", {}, sorted.map(([key, count]) => {
      const [clause, party] = key.split("\u0000");
      return el("tr", {}, el("td", {}, clause), el("td", {}, party), el("td", { class: "num" }, count.toLocaleString(lang)));
    })));
}

function drawChart(rows, groupBy) {
  const container = document.getElementById("chart");
  if (!rows.length) {
    container.replaceChildren(el("p", { class: "status" }, t("no_breaches")));
    return;
  }
  const keys = stackedBars(container, rows.map((r) => ({ day: r.day, key: r[groupBy] ?? "–", count: r.count })));
  container.append(el("div", { class: "chart-legend" },
    keys.map((key, i) => el("span", { style: `--c:${SERIES_COLOURS[i % SERIES_COLOURS.length]}` }, key))));
}

async function coverage() {
  const map = makeMap("coverage");
  await drawBasemap(map);
  const cells = await api("/api/coverage.geojson");
  const counts = cells.features.map((f) => f.properties.count ?? f.properties.reports ?? 0);
  const max = Math.max(1, ...counts);
  const layer = L.geoJSON(cells, {
    pane: "zones",
    style: (f) => {
      const share = Math.sqrt((f.properties.count ?? f.properties.reports ?? 0) / max);
      return { stroke: true, color: "#5fa8ff", weight: 0.5, fillColor: "#5fa8ff", fillOpacity: 0.15 + 0.6 * share };
    },
  }).bindTooltip((layer) => `${layer.feature.properties.count ?? layer.feature.properties.reports ?? 0} ${t("reports_in_cell")}`);
  layer.addTo(map);
  if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
}

async function main() {
  const agreement = await chooseAgreement();
  const query = new URLSearchParams(agreement ? { agreement: agreement.id } : {});
  const rows = await api(`/api/stats/breaches_per_day?${query}`);
  const select = document.getElementById("group-by");
  select.addEventListener("change", () => drawChart(rows, select.value));
  drawChart(rows, select.value);
  document.getElementById("by-clause").replaceChildren(byClause(rows));
  await coverage().catch(showError);
  document.body.dataset.ready = "true";
}

main().catch(showError);
