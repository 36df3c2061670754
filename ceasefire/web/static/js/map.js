// The operations-room map: agreement geometry, every incident, a time slider, a legend.
import { drawAgreement } from "./agreement-layer.js";
import { drawBasemap, makeMap } from "./basemap.js";
import { api, chooseAgreement, el, eventTypeLabel, formatTime, lang, partyName, showError, stateLabel, t } from "./common.js";
import { BREACH_COLOUR, IncidentLayer, STATE_COLOURS, dayRange, fromMapColumns, toColumns } from "./incident-layer.js";

const DAY = 86_400_000;
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

function showSelected(feature, agreement) {
  const box = document.getElementById("selected");
  if (!feature) {
    box.hidden = true;
    return;
  }
  const p = feature.properties;
  const query = new URLSearchParams({ lang });
  if (agreement) query.set("agreement", agreement.id);
  const href = `/incidents/${encodeURIComponent(p.id)}?${query}`;
  box.replaceChildren(
    el("h2", {}, t("incident")),
    el("dl", {},
      el("dt", {}, t("event_type")), el("dd", {}, eventTypeLabel(p.event_type)),
      el("dt", {}, t("observed")), el("dd", {}, formatTime(p.observed_start, p.precision)),
      el("dt", {}, t("state")), el("dd", {}, el("span", { class: `state state-${p.state}` }, stateLabel(p.state))),
      el("dt", {}, t("party")), el("dd", {}, partyName(agreement, p.party)),
      el("dt", {}, t("clauses")), el("dd", {}, p.breach
        ? el("span", { class: "breach-tag" }, `${t("breach")}: ${(p.clauses ?? []).join(", ")}`)
        : (p.clauses ?? []).join(", ") || "–"),
      el("dt", {}, t("sources")), el("dd", {}, p.n_sources ?? "–"),
    ),
    el("a", { class: "button", href, id: "open-incident" }, t("open_incident")),
  );
  box.hidden = false;
}

function wireSlider(layer) {
  const [first, last] = dayRange(layer.columns);
  const days = Math.round((last - first) / DAY);
  const from = document.getElementById("t-from");
  const to = document.getElementById("t-to");
  for (const input of [from, to]) input.max = String(days);
  to.value = String(days);
  const day = (input) => first + Number(input.value) * DAY;
  const update = () => {
    if (Number(from.value) > Number(to.value)) from.value = to.value;
    document.getElementById("t-from-out").textContent = new Date(day(from)).toISOString().slice(0, 10);
    document.getElementById("t-to-out").textContent = new Date(day(to)).toISOString().slice(0, 10);
    layer.setTimeFilter(day(from), day(to) + DAY);
  };
  from.addEventListener("input", update);
  to.addEventListener("input", update);
  update();
}

async function main() {
  const map = makeMap("map");
  report.map = map;
  const status = document.getElementById("status");
  const agreement = await chooseAgreement();
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
  const incidents = loadIncidents(agreement?.id).then((data) => {
    layer.setColumns(fromMapColumns(data));
  });
  if (agreement) {
    const geometries = await api(`/api/agreements/${encodeURIComponent(agreement.id)}/geometries.geojson`);
    const { group, legend: rows } = drawAgreement(map, geometries, describeGeometry);
    if (group.getLayers().length) map.fitBounds(group.getBounds(), { padding: [20, 20] });
    legend(rows);
    report.geometries = geometries.features.length;
    report.geometryAtMs = performance.now();
  }
  layer.addTo(map);
  await incidents;
  report.fetchedAtMs = performance.now();
  const allDrawn = new Promise((done) => layer.once("drawn", () => {
    report.incidentsAtMs = performance.now(); // every incident is in and drawn
    document.body.dataset.incidentsDrawn = String(layer.stats.drawn);
    done();
  }));
  wireSlider(layer);
  status.textContent = "";

  map.on("click", (event) => {
    const index = layer.nearest(event.containerPoint);
    layer.select(index);
    showSelected(index < 0 ? null : layer.columns.incident(index), agreement);
  });
  await Promise.all([basemap, allDrawn]);
  document.body.dataset.ready = "true";
}

main().catch(showError);
