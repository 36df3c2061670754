// The dashboard: breaches per day/week/month/year (bins chosen by the range) by party or
// clause, a table by clause, the coverage map fitted to the data; for a freeze agreement
// the km² gained per party per week, strikes per night with the interception rate,
// penalty states and notices.
import { drawBasemap, makeMap } from "./basemap.js";
import { DAY, binStart, binsBetween, dayMs, unitFor } from "./bins.js";
import { SERIES_COLOURS, barsWithRate, signedBars, stackedBars } from "./chart.js";
import { api, chooseAgreement, el, formatTime, lang, partyName, showError, t } from "./common.js";
import { GAIN_COLOURS, loadControl } from "./control-layer.js";

const report = (window.ceasefire = {});

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

/** The bin unit for the rows' range of days. */
function rowsUnit(rows) {
  const days = rows.map((r) => dayMs(r.day));
  return unitFor((Math.max(...days) - Math.min(...days)) / DAY + 1);
}

function drawChart(rows, groupBy) {
  const container = document.getElementById("chart");
  if (!rows.length) {
    container.replaceChildren(el("p", { class: "status" }, t("no_breaches")));
    return;
  }
  const unit = rowsUnit(rows);
  report.unit = unit;
  document.getElementById("chart-title").textContent = t(`breaches_per_${unit}`);
  const keys = stackedBars(container, rows.map((r) => ({ day: r.day, key: r[groupBy] ?? "–", count: r.count })), unit);
  container.append(el("div", { class: "chart-legend" },
    keys.map((key, i) => el("span", { style: `--c:${SERIES_COLOURS[i % SERIES_COLOURS.length]}` }, key))));
}

/** The south-west and north-east corners of the cells that hold reports. */
function dataBounds(cells) {
  const bounds = L.latLngBounds([]);
  for (const f of cells.features) {
    if (count(f) > 0) bounds.extend(L.geoJSON(f).getBounds());
  }
  return bounds;
}

const count = (f) => f.properties.count ?? f.properties.reports ?? 0;

async function coverage() {
  const map = makeMap("coverage", { minZoom: 2 });
  report.coverageMap = map;
  await drawBasemap(map);
  const cells = await api("/api/coverage.geojson");
  const max = Math.max(1, ...cells.features.map(count));
  const layer = L.geoJSON(cells, {
    pane: "zones",
    style: (f) => ({ stroke: true, color: "#5fa8ff", weight: 0.5, fillColor: "#5fa8ff",
      fillOpacity: 0.15 + 0.6 * Math.sqrt(count(f) / max) }),
  }).bindTooltip((cell) => `${count(cell.feature)} ${t("reports_in_cell")}`);
  layer.addTo(map);
  const bounds = dataBounds(cells);
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], maxZoom: 10 });
  report.coverageBounds = bounds.isValid() ? bounds.toBBoxString() : null;
}

/** Weekly change of each party's gains since the baseline: the last observed day of each
 *  week against the last of the week before (the baseline for the first). */
export function weeklyGains(summary) {
  const parties = [summary.holder, summary.other];
  const lastOfWeek = new Map();
  for (const day of summary.days) lastOfWeek.set(binStart(dayMs(day.date), "week"), day);
  const weeks = binsBetween(dayMs(summary.days[0].date), dayMs(summary.days.at(-1).date), "week");
  const values = parties.map(() => []);
  let previous = Object.fromEntries(parties.map((p) => [p, 0]));
  for (const week of weeks) {
    const day = lastOfWeek.get(week);
    parties.forEach((party, k) => {
      const now = day ? day.gained_km2[party] ?? 0 : previous[party];
      values[k].push(now - previous[party]);
    });
    if (day) previous = { ...day.gained_km2 };
  }
  return { weeks, parties, values };
}

async function front(agreement) {
  const summary = await loadControl(agreement.id);
  if (!summary || !summary.days.length) return;
  const { weeks, parties, values } = weeklyGains(summary);
  document.getElementById("front-card").hidden = false;
  const series = parties.map((party, k) => ({ key: party, label: partyName(agreement, party), colour: GAIN_COLOURS[k], values: values[k] }));
  const box = document.getElementById("gains-chart");
  signedBars(box, weeks, "week", series);
  box.append(el("div", { class: "chart-legend" },
    series.map((s) => el("span", { style: `--c:${s.colour}` }, `${s.label} (${t("gain_change")})`))));
  report.gainWeeks = weeks.length;
}

async function strikes(agreement) {
  const since = agreement.timeline?.entry_into_force;
  const query = new URLSearchParams(since ? { since } : {});
  const nights = await api(`/api/map/strikes?${query}`);
  if (!nights.length) return;
  document.getElementById("strikes-card").hidden = false;
  const first = dayMs(nights[0].night);
  const last = dayMs(nights.at(-1).night);
  const unit = last - first > 180 * DAY ? "week" : "day";
  const bins = binsBetween(first, last, unit);
  const index = new Map(bins.map((b, i) => [b, i]));
  const launched = bins.map(() => 0);
  const destroyed = bins.map(() => 0);
  let seen = true;
  for (const n of nights) {
    const i = index.get(binStart(dayMs(n.night), unit));
    launched[i] += n.launched;
    if (n.destroyed === null) seen = false;
    else destroyed[i] += n.destroyed;
  }
  const rates = launched.map((l, i) => (seen && l ? destroyed[i] / l : null));
  document.getElementById("strikes-title").textContent = t(`strikes_per_${unit === "day" ? "night" : "week"}`);
  barsWithRate(document.getElementById("strikes-chart"), bins, unit, launched, rates);
  report.strikeNights = nights.length;
}

function smallTable(columns, rows) {
  if (!rows.length) return el("p", { class: "status" }, t("nothing_yet"));
  return el("table", {},
    el("thead", {}, el("tr", {}, columns.map(([key]) => el("th", {}, t(key))))),
    el("tbody", {}, rows.map((row) => el("tr", {}, columns.map(([, cell]) => el("td", {}, cell(row) ?? "–"))))));
}

async function penaltiesAndNotices(agreement) {
  const query = new URLSearchParams(agreement ? { agreement: agreement.id } : {});
  const penalties = await api(`/api/penalties?${query}`).catch(() => []);
  const rows = Array.isArray(penalties) ? penalties : (penalties.items ?? []);
  document.getElementById("penalties").replaceChildren(smallTable([
    ["rule", (r) => r.rule],
    ["party", (r) => partyName(agreement, r.party)],
    ["state", (r) => r.state],
    ["since", (r) => formatTime(r.since, "day")],
  ], rows));
  const notices = await api(`/api/notices?${query}`).catch(() => ({ items: [] }));
  document.getElementById("notices").replaceChildren(smallTable([
    ["sent", (n) => formatTime(n.created_at, "day")],
    ["addressed_to", (n) => partyName(agreement, n.recipient)],
    ["title", (n) => n.title ?? n.cause],
    ["status", (n) => (n.state ? t(`notice_${n.state}`) : "—")],
  ], (notices.items ?? []).slice(0, 20)));
}

async function main() {
  const chosen = await chooseAgreement();
  const agreement = chosen ? await api(`/api/agreements/${encodeURIComponent(chosen.id)}`).catch(() => chosen) : null;
  const query = new URLSearchParams(agreement ? { agreement: agreement.id } : {});
  const rows = await api(`/api/stats/breaches_per_day?${query}`);
  const select = document.getElementById("group-by");
  select.addEventListener("change", () => drawChart(rows, select.value));
  drawChart(rows, select.value);
  document.getElementById("by-clause").replaceChildren(byClause(rows));
  const extras = agreement ? [front(agreement), strikes(agreement), penaltiesAndNotices(agreement)] : [];
  await Promise.all([coverage(), ...extras].map((p) => p.catch(showError)));
  document.body.dataset.ready = "true";
}

main().catch(showError);
