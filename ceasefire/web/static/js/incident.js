// One incident: what happened, the verdicts and their reasons, reports, evidence, replies, trail.
import { drawAgreement } from "./agreement-layer.js";
import { drawBasemap, makeMap } from "./basemap.js";
import { api, chooseAgreement, el, eventTypeLabel, formatTime, lang, me, partyName, stateLabel, t } from "./common.js";

const STATES = ["reported", "corroborated", "under_review", "verified", "disputed", "dismissed"];
import { BREACH_COLOUR, STATE_COLOURS } from "./incident-layer.js";

const id = document.body.dataset.incidentId;
const root = document.getElementById("incident");
let agreement = null;

function table(columns, rows, empty) {
  if (!rows.length) return el("p", { class: "status" }, t(empty));
  return el("table", {},
    el("thead", {}, el("tr", {}, columns.map(([key]) => el("th", {}, t(key))))),
    el("tbody", {}, rows.map((row) => el("tr", {}, columns.map(([, cell]) => el("td", {}, cell(row)))))));
}

/** One structured reason as a line: "distance_km(line) < 50: measured 12.3 km (limit 50 km) — holds". */
export function reasonText(r) {
  if (typeof r === "string") return r;
  let text = r.predicate ?? "";
  const unit = r.unit ? ` ${r.unit}` : "";
  if (r.measured !== null && r.measured !== undefined) {
    const value = typeof r.measured === "number" && !Number.isInteger(r.measured) ? r.measured.toFixed(1) : r.measured;
    text += `: ${t("measured")} ${value}${unit}`;
  }
  if (r.threshold !== null && r.threshold !== undefined) {
    const limit = Array.isArray(r.threshold) ? r.threshold.join(", ") : r.threshold;
    text += ` (${t(typeof r.measured === "number" ? "limit" : "expected")} ${limit}${unit})`;
  }
  if (r.holds) text += ` — ${t(`holds_${r.holds}`)}`;
  return text;
}

function verdictCard(v) {
  const reasons = Array.isArray(v.reasons) ? v.reasons : [];
  return el("div", { class: `verdict v-${v.verdict}`, dataset: { clause: v.clause ?? "" } },
    el("h3", {}, `${t("clause")} ${v.clause ?? "–"}: `, t(`verdict_${v.verdict}`)),
    v.text ? el("p", { class: "verdict-text" }, v.text) : null,
    el("dl", {},
      el("dt", {}, t("party")), el("dd", {}, partyName(agreement, v.party)),
      el("dt", {}, t("standard_met")), el("dd", {}, v.standard_met == null ? "–" : t(v.standard_met ? "yes" : "no")),
    ),
    reasons.length ? el("h3", {}, t("reasons")) : null,
    el("ul", { class: "reasons" }, reasons.map((r) => el("li", { dataset: { holds: r.holds ?? "" } }, reasonText(r)))));
}

/** Red "breach" only when established (evidence standard met); a breach whose
 *  standard is not met is a reported breach, shown without the red badge. */
function breachBadge(incident, verdicts) {
  const breaches = verdicts.filter((v) => v.verdict === "breach");
  if (breaches.some((v) => v.standard_met)) return el("span", { class: "breach-tag" }, t("breach"));
  if (!breaches.length && !incident.breach) return null;
  return el("span", { class: "state state-corroborated reported-breach" },
    `${t("breach")} — ${t("standard_met")}: ${t("no")}`);
}

function summary(incident, verdicts, first, who) {
  const breach = breachBadge(incident, verdicts);
  return el("dl", {},
    el("dt", {}, t("event_type")), el("dd", {}, eventTypeLabel(incident.event_type)),
    el("dt", {}, t("observed")), el("dd", {}, formatTime(incident.observed_start, first.observed?.precision),
      incident.observed_end && incident.observed_end !== incident.observed_start
        ? ` – ${formatTime(incident.observed_end, first.observed?.precision)}` : ""),
    el("dt", {}, t("state")), el("dd", {}, el("span", { class: `state state-${incident.state}` }, stateLabel(incident.state))),
    el("dt", {}, t("party")), el("dd", {}, partyName(agreement, incident.party)),
    el("dt", {}, t("sources")), el("dd", {}, incident.n_sources ?? "–"),
    el("dt", {}, t("corroboration_score")), el("dd", { id: "incident-score" },
      incident.score == null ? "–" : incident.score.toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 })),
    el("dt", {}, t("location")), el("dd", { id: "place" }, place(incident, first, who.role === "public")),
    breach ? el("dt", {}, t("verdict")) : null,
    breach ? el("dd", {}, breach) : null,
  );
}

function coordinates(incident) {
  const loc = incident.location ?? {};
  const lon = loc.lon ?? incident.lon ?? incident.geometry?.coordinates?.[0];
  const lat = loc.lat ?? incident.lat ?? incident.geometry?.coordinates?.[1];
  return lon == null || lat == null ? null : [lat, lon];
}

/** Where: the exact place for the mission; for a reader who sees cells, the cell it lies
 *  in ("within ~7 km of 48.95°N 39.05°E"), never a name that would pass for the place. */
export function place(incident, first, cells) {
  const at = coordinates(incident);
  if (!at) return "–";
  if (cells) {
    const km = Math.max(1, Math.round((first.location?.precision_m ?? incident.location?.precision_m ?? 0) / 1000));
    const centre = `${at[0].toFixed(2)}°N ${at[1].toFixed(2)}°E`;
    return t("within_cell").replace("{km}", km.toLocaleString(lang)).replace("{place}", centre);
  }
  const name = first.location?.place ?? first.location?.admin2;
  const text = `${at[0].toFixed(3)}°N ${at[1].toFixed(3)}°E`;
  return name ? `${name} (${text})` : text;
}

/** POST `body` to `path`, then reload; an API refusal is shown in `out`. */
async function act(path, body, out) {
  try {
    await api(path, { body });
    location.reload();
  } catch (error) {
    out.textContent = `${t("error")}: ${error.message}`;
  }
}

/** What the caller may do here: an analyst decides the state, a party replies. */
function actions(incident, who) {
  const base = `/api/incidents/${encodeURIComponent(id)}`;
  const out = el("p", { class: "status", id: "action-status", role: "status" });
  if (who.role === "analyst") {
    const state = el("select", { id: "new-state" },
      STATES.filter((s) => s !== incident.state).map((s) => el("option", { value: s }, stateLabel(s))));
    const reason = el("input", { id: "reason", type: "text", required: true, placeholder: t("reason") });
    const form = el("form", { class: "action", id: "decide" }, state, reason,
      el("button", { type: "submit" }, t("decide")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(`${base}/transitions`, { state: state.value, reason: reason.value }, out);
    });
    return el("section", { id: "actions" }, el("h2", {}, t("decision")), form, out);
  }
  if (who.role === "party") {
    const text = el("textarea", { id: "reply-text", rows: 3, required: true });
    const form = el("form", { class: "action", id: "reply" }, text, el("button", { type: "submit" }, t("send_reply")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(`${base}/replies`, { text: text.value }, out);
    });
    return el("section", { id: "actions" }, el("h2", {}, t("right_of_reply")), form, out);
  }
  return null;
}

function publishButton(reply, who) {
  if (who.role !== "analyst" || reply.published_at) return reply.published_at ? formatTime(reply.published_at) : "–";
  const button = el("button", { type: "button", class: "publish" }, t("publish"));
  button.addEventListener("click", () => act(
    `/api/incidents/${encodeURIComponent(id)}/replies/${encodeURIComponent(reply.id)}/publish`, {},
    document.getElementById("action-status") ?? button));
  return button;
}

function render(data, who) {
  const incident = data.incident ?? {};
  const verdicts = data.verdicts ?? [];
  document.title = `${t("incident")} ${incident.id ?? id} · ceasefire`;
  root.replaceChildren(
    el("p", {}, el("a", { href: `/?lang=${lang}` }, t("back_to_map"))),
    el("h1", {}, `${t("incident")} `, el("code", {}, incident.id ?? id)),
    el("div", { class: "incident-head" },
      el("section", {}, summary(incident, verdicts, (data.reports ?? [])[0] ?? {}, who)),
      el("div", { id: "incident-map", class: "map small" })),
    el("section", { id: "verdicts" }, el("h2", {}, t("verdicts")),
      verdicts.length ? verdicts.map(verdictCard) : el("p", { class: "status" }, t("no_verdicts"))),
    el("section", { id: "reports" }, el("h2", {}, t("reports")), table([
      ["observed", (r) => formatTime(r.observed?.start, r.observed?.precision)],
      ["source", (r) => [r.source?.type && t(`source_${r.source.type}`), r.source?.name].filter(Boolean).join(" · ") || "–"],
      ["event_type", (r) => eventTypeLabel(r.event_type)],
      ["narrative", (r) => r.narrative || "–"],
    ], data.reports ?? [], "no_reports")),
    el("section", { id: "evidence" }, el("h2", {}, t("evidence")), table([
      ["sha256", (e) => el("span", { class: "hash" }, e.sha256)],
      ["media_type", (e) => e.media_type ?? "–"],
      ["description", (e) => e.description ?? "–"],
    ], data.evidence ?? [], "no_evidence")),
    el("section", { id: "replies" }, el("h2", {}, t("replies")), table([
      ["party", (r) => partyName(agreement, r.party)],
      ["at", (r) => formatTime(r.at ?? r.recorded_at)],
      ["text", (r) => r.text ?? r.body ?? "–"],
      ["published", (r) => publishButton(r, who)],
    ], data.replies ?? [], "no_replies")),
    actions(incident, who) ?? "",
    el("section", { id: "trail" }, el("h2", {}, t("trail")), table([
      ["seq", (e) => el("code", {}, e.seq)],
      ["at", (e) => formatTime(e.at)],
      ["kind", (e) => e.kind],
      ["actor", (e) => e.actor ?? "–"],
      ["state", (e) => (e.state ? stateLabel(e.state) : "–")],
      ["reason", (e) => e.reason ?? "–"],
    ], data.trail ?? [], "nothing_yet")),
  );
  root.removeAttribute("aria-busy");
  const at = coordinates(incident);
  if (at) {
    const map = makeMap("incident-map", { zoomControl: false, attributionControl: false });
    drawBasemap(map);
    if (agreement) {
      api(`/api/agreements/${encodeURIComponent(agreement.id)}/geometries.geojson`)
        .then((geometries) => drawAgreement(map, geometries, (p) => p.label));
    }
    const breach = verdicts.some((v) => v.verdict === "breach");
    L.circleMarker(at, { pane: "incidents", radius: 7, weight: 2, color: breach ? "#ffd9d9" : "#0b0e12",
      fillColor: breach ? BREACH_COLOUR : STATE_COLOURS[incident.state] ?? "#9aa7b4", fillOpacity: 1 }).addTo(map);
    map.setView(at, 8);
  }
  document.body.dataset.ready = "true";
}

async function main() {
  agreement = await chooseAgreement();
  const query = agreement ? `?agreement=${encodeURIComponent(agreement.id)}` : "";
  render(await api(`/api/incidents/${encodeURIComponent(id)}${query}`), await me);
}

main().catch((error) => {
  root.replaceChildren(el("h1", {}, error.status === 404 ? t("not_found") : t("error")),
    el("p", { class: "status", id: "status" }, error.message));
  root.removeAttribute("aria-busy");
});
