// The operations-room map: agreement geometry, every incident, filters kept in the URL,
// a date-range brush over a histogram, overlapping incidents listed, and (for a freeze
// agreement with control maps) the day's front with a day slider.
import { drawAgreement } from "./agreement-layer.js";
import { drawBasemap, makeMap } from "./basemap.js";
import { DAY, dayMs, isoDay } from "./bins.js";
import { TimeBrush } from "./brush.js";
import { api, chooseAgreement, el, eventTypeLabel, formatTime, lang, partyName, showError, stateLabel, t } from "./common.js";
import { FrontControl, loadControl } from "./control-layer.js";
import { BREACH_COLOUR, IncidentLayer, STATE_COLOURS, dayRange, fromMapColumns, toColumns } from "./incident-layer.js";
import { filterMask, readView, writeView } from "./view.js";

// What tests and the benchmark read: when each layer finished drawing, and how much.
// Times (…AtMs) are performance.now(): milliseconds since navigation started.
const report = (window.ceasefire = { moduleAtMs: performance.now() });

/** Every incident in one columnar answer: parallel arrays, no payload parsed server-side. */
async function loadIncidents(agreementId) {
  const query = new URLSearchParams();
  if (agreementId) query.set("agreement", agreementId);
  return api(`/api/map/incidents?${query}`);
}

function describeGeometry(props) {
  const kind = t(`kind_${props.kind}`);
  return props.regime ? `${props.label} (${kind}) — ${t(`regime_${props.regime}`)}` : `${props.label} (${kind})`;
}

function legend(rows) {
  const swatch = (colour, shape) => el("span", { class: `swatch ${shape}`, style: `--c:${colour}` });
  const box = document.getElementById("legend");
  box.replaceChildren(
    el("h3", {}, t("agreement_geometry")),
    el("ul", {}, rows.map(({ feature, colour }) =>
      el("li", {}, swatch(colour, feature.properties.kind), feature.properties.label))),
    el("h3", {}, t("incident_states")),
    el("ul", {}, Object.entries(STATE_COLOURS).map(([state, colour]) =>
      el("li", {}, swatch(colour, "dot"), stateLabel(state)))),
    el("ul", {}, el("li", {}, swatch(BREACH_COLOUR, "dot ring"), t("breach_highlight"))),
    el("h3", {}, t("basemap")),
    el("ul", {}, el("li", {}, swatch("#5b6b7c", "line thin"), t("oblast_boundary"))),
  );
}

function incidentHref(id, agreement) {
  const query = new URLSearchParams({ lang });
  if (agreement) query.set("agreement", agreement.id);
  return `/incidents/${encodeURIComponent(id)}?${query}`;
}

function clauseText(p) {
  const clauses = (p.clauses ?? []).join(", ");
  if (p.breach) return el("span", { class: "breach-tag" }, `${t("breach")}: ${clauses}`);
  return clauses || "–";
}

/** A corroboration score (0–1) as the reader's locale writes it, to two decimals. */
function scoreText(score) {
  return score == null ? "–" : score.toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function showSelected(feature, agreement) {
  const box = document.getElementById("selected");
  if (!feature) {
    box.hidden = true;
    return;
  }
  const p = feature.properties;
  box.replaceChildren(
    el("h2", {}, t("incident")),
    el("dl", {},
      el("dt", {}, t("event_type")), el("dd", {}, eventTypeLabel(p.event_type)),
      el("dt", {}, t("observed")), el("dd", {}, formatTime(p.observed_start, p.precision)),
      el("dt", {}, t("state")), el("dd", {}, el("span", { class: `state state-${p.state}` }, stateLabel(p.state))),
      el("dt", {}, t("party")), el("dd", {}, partyName(agreement, p.party)),
      el("dt", {}, t("clauses")), el("dd", {}, clauseText(p)),
      el("dt", {}, t("sources")), el("dd", {}, p.n_sources ?? "–"),
      el("dt", {}, t("corroboration_score")), el("dd", { id: "selected-score" }, scoreText(p.score)),
    ),
    el("a", { class: "button", href: incidentHref(p.id, agreement), id: "open-incident" }, t("open_incident")),
  );
  box.hidden = false;
}

/** Several incidents under one click: a popup listing each; picking one shows it in the panel. */
function listOverlapping(map, latlng, layer, indexes, agreement) {
  const items = indexes.slice(0, 50).map((i) => {
    const p = layer.columns.incident(i).properties;
    const button = el("button", { type: "button", class: "overlap-item", dataset: { index: i } },
      el("span", { class: `dot ${p.breach ? "breach" : ""}`, style: `--c:${STATE_COLOURS[p.state] ?? "#9aa7b4"}` }),
      `${formatTime(p.observed_start, "day")} · ${eventTypeLabel(p.event_type)} · ${stateLabel(p.state)}`,
      p.breach ? el("span", { class: "breach-tag" }, t("breach")) : null);
    button.addEventListener("click", () => {
      layer.select(i);
      showSelected(layer.columns.incident(i), agreement);
    });
    return el("li", {}, button);
  });
  const more = indexes.length > 50 ? el("p", { class: "muted" }, `+${indexes.length - 50}`) : null;
  const content = el("div", { class: "overlap", id: "overlap" },
    el("h3", {}, `${indexes.length} ${t("incidents_here")}`), el("ul", {}, items), more);
  L.popup({ maxHeight: 260, className: "overlap-popup" }).setLatLng(latlng).setContent(content).openOn(map);
}

function options(select, values, label, chosen) {
  select.replaceChildren(el("option", { value: "" }, t("any")),
    ...values.map((value) => el("option", { value, selected: chosen.includes(value) }, label(value))));
}

/** The filter panel's controls, filled from the data and set from the view. */
function wireFilters(data, agreement, view, apply) {
  const pick = (id) => document.getElementById(id);
  const types = [...data.types].sort();
  const parties = data.parties.filter((p) => p !== null);
  const clauses = [...new Set([...(agreement?.clauses ?? []).map((c) => c.id),
    ...Object.values(data.clauses).flat()])].sort();
  options(pick("f-type"), types, eventTypeLabel, view.type);
  options(pick("f-party"), parties, (p) => partyName(agreement, p), view.party ? [view.party] : []);
  options(pick("f-clause"), clauses, (c) => c, view.clause ? [view.clause] : []);
  options(pick("f-state"), Object.keys(STATE_COLOURS), stateLabel, view.state);
  pick("f-breaches").checked = view.breaches;
  const read = () => {
    view.type = pick("f-type").value ? [pick("f-type").value] : [];
    view.party = pick("f-party").value || null;
    view.clause = pick("f-clause").value || null;
    view.state = pick("f-state").value ? [pick("f-state").value] : [];
    view.breaches = pick("f-breaches").checked;
    apply();
  };
  for (const id of ["f-type", "f-party", "f-clause", "f-state", "f-breaches"]) pick(id).addEventListener("change", read);
  pick("f-clear").addEventListener("click", () => {
    Object.assign(view, { type: [], party: null, clause: null, state: [], breaches: false, from: null, to: null });
    for (const id of ["f-type", "f-party", "f-clause", "f-state"]) pick(id).value = "";
    pick("f-breaches").checked = false;
    apply();
  });
}

/** Filters, time range and the URL, kept in step. */
function wireView(layer, data, agreement) {
  const view = readView();
  const [first, last] = dayRange(layer.columns);
  const brush = new TimeBrush(document.getElementById("brush"), (from, to) => {
    view.from = from === isoDay(first) ? null : from;
    view.to = to === isoDay(last) ? null : to;
    apply();
  });
  function apply() {
    const started = performance.now();
    const mask = filterMask(data, view);
    const from = view.from ? dayMs(view.from) : first;
    const to = view.to ? dayMs(view.to) : last;
    document.getElementById("t-from-out").textContent = isoDay(Math.max(first, from));
    document.getElementById("t-to-out").textContent = isoDay(Math.min(last, to));
    layer.setMask(mask);
    layer.setTimeFilter(from, to + DAY);
    brush.setData(layer.columns.time, mask, layer.columns.breach, first, last);
    brush.setRange(from, to);
    writeView(view);
    report.view = { ...view };
    report.applyMs = performance.now() - started; // filters + histogram, before the redraw
  }
  wireFilters(data, agreement, view, apply);
  apply();
  report.setRange = (from, to) => { view.from = from; view.to = to; apply(); };
  return view;
}

async function drawGeometry(map, agreement) {
  const geometries = await api(`/api/agreements/${encodeURIComponent(agreement.id)}/geometries.geojson`);
  const { group, legend: rows } = drawAgreement(map, geometries, describeGeometry);
  if (group.getLayers().length) map.fitBounds(group.getBounds(), { padding: [20, 20] });
  legend(rows);
  report.geometries = geometries.features.length;
  report.geometryAtMs = performance.now();
}

/** The front of a freeze agreement, when its control maps are in the store. */
async function wireFront(map, agreement, view) {
  const summary = agreement ? await loadControl(agreement.id) : null;
  if (!summary || !summary.days.length) return;
  map.createPane("control").style.zIndex = "410"; // over the zones, under the lines
  const front = new FrontControl(map, agreement, summary, (day, collection) => {
    view.day = day;
    writeView(view);
    report.controlDay = day;
    report.controlFeatures = collection.features.length;
    document.body.dataset.controlDay = day;
  });
  document.getElementById("legend-panel").before(front.panel());
  report.front = front;
  // a freeze is watched from its baseline: earlier incidents stay one drag away
  const [, last] = dayRange(report.layer.columns);
  if (!view.from && !view.to && dayMs(summary.baseline) <= last) report.setRange(summary.baseline, null);
  await front.show(view.day ?? summary.days.at(-1).date);
}

async function main() {
  const map = makeMap("map");
  report.map = map;
  const status = document.getElementById("status");
  const chosen = await chooseAgreement();
  const agreement = chosen ? await api(`/api/agreements/${encodeURIComponent(chosen.id)}`).catch(() => chosen) : null;
  const basemap = drawBasemap(map).then(() => { report.basemapAtMs = performance.now(); });

  status.textContent = t("loading_incidents");
  const layer = new IncidentLayer(toColumns([]));
  report.layer = layer;
  layer.on("drawn", (stats) => {
    document.getElementById("count-shown").textContent = stats.shown.toLocaleString(lang);
    document.getElementById("count-total").textContent = layer.columns.n.toLocaleString(lang);
    document.getElementById("count-breach").textContent = stats.breaches.toLocaleString(lang);
    Object.assign(report, { incidentsShown: stats.shown, incidentsDrawn: stats.drawn, lastDrawMs: stats.ms });
  });
  // the incidents arrive while the agreement's geometry draws
  let data = null;
  const incidents = loadIncidents(agreement?.id).then((answer) => {
    data = answer;
    layer.setColumns(fromMapColumns(answer));
  });
  if (agreement) await drawGeometry(map, agreement);
  layer.addTo(map);
  await incidents;
  report.fetchedAtMs = performance.now();
  const allDrawn = new Promise((done) => layer.once("drawn", () => {
    report.incidentsAtMs = performance.now(); // every incident is in and drawn
    document.body.dataset.incidentsDrawn = String(layer.stats.drawn);
    done();
  }));
  const view = wireView(layer, data, agreement);
  status.textContent = "";

  map.on("click", (event) => {
    const found = layer.within(event.containerPoint);
    layer.select(found[0] ?? -1);
    showSelected(found.length ? layer.columns.incident(found[0]) : null, agreement);
    if (found.length > 1) listOverlapping(map, event.latlng, layer, found, agreement);
  });
  await Promise.all([basemap, allDrawn, wireFront(map, agreement, view).catch(showError)]);
  document.body.dataset.ready = "true";
}

main().catch(showError);
