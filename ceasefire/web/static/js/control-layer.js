// Control of territory on the map: the day's held area, each party's gains since the
// agreement's baseline, and a day slider (with play) that animates the front.
import { ApiError, api, el, lang, partyName, t } from "./common.js";

export const HELD_COLOUR = "#b84a4a";
export const GAIN_COLOURS = ["#ff7a59", "#5fa8ff"]; // holder, other

/** The agreement's control days ({baseline, holder, other, days: [...]}), or null without maps. */
export async function loadControl(agreementId) {
  try {
    return await api(`/api/map/control/${encodeURIComponent(agreementId)}`);
  } catch (error) {
    if (error instanceof ApiError && [404, 422].includes(error.status)) return null;
    throw error;
  }
}

const km2 = (value) => `${Math.round(value).toLocaleString(lang)} km²`;

export class FrontControl {
  /** Draw `summary`'s days on `map`; `onDay(day)` after each day drawn. */
  constructor(map, agreement, summary, onDay) {
    Object.assign(this, { map, agreement, summary, onDay });
    this.layer = L.geoJSON(null, { pane: "control", style: (f) => this._style(f.properties) }).addTo(map);
    this.days = summary.days.map((d) => d.date);
    this.colour = { [summary.holder]: GAIN_COLOURS[0], [summary.other]: GAIN_COLOURS[1] };
    this.token = 0;
  }

  _style(p) {
    if (p.kind === "held") return { stroke: false, fillColor: HELD_COLOUR, fillOpacity: 0.22 };
    return { color: this.colour[p.party], weight: 1, fillColor: this.colour[p.party], fillOpacity: 0.75 };
  }

  /** The panel section: the day, km² gained per party, a slider over the days and a play button. */
  panel() {
    const slider = el("input", { id: "day-slider", type: "range", min: 0, max: Math.max(0, this.days.length - 1), value: 0 });
    const play = el("button", { type: "button", id: "front-play" }, t("play"));
    slider.addEventListener("input", () => this.show(this.days[Number(slider.value)]));
    play.addEventListener("click", () => this.toggle(play));
    this.slider = slider;
    this.figures = el("dl", { id: "front-figures" });
    this.dayOut = el("output", { id: "front-day" });
    const { holder, other } = this.summary;
    return el("section", { id: "front" },
      el("h2", {}, t("front_title")),
      el("p", { class: "muted" }, `${t("front_baseline")} ${this.summary.baseline}`),
      el("div", { class: "day-row" }, play, slider, this.dayOut),
      this.figures,
      el("ul", { class: "front-legend" },
        el("li", {}, el("span", { class: "swatch", style: `--c:${HELD_COLOUR}` }), `${t("front_held")}: ${partyName(this.agreement, holder)}`),
        el("li", {}, el("span", { class: "swatch solid", style: `--c:${GAIN_COLOURS[0]}` }), `${t("front_gain")}: ${partyName(this.agreement, holder)}`),
        el("li", {}, el("span", { class: "swatch solid", style: `--c:${GAIN_COLOURS[1]}` }), `${t("front_gain")}: ${partyName(this.agreement, other)}`)));
  }

  /** Draw the map of `day` (the last observed day on or before it). */
  async show(day) {
    const index = Math.max(0, this.days.filter((d) => d <= day).length - 1);
    const chosen = this.days[index];
    if (this.slider) this.slider.value = String(index);
    const token = ++this.token;
    const collection = await api(`/api/map/control/${encodeURIComponent(this.agreement.id)}/${chosen}.geojson`);
    if (token !== this.token) return; // a later day was asked for meanwhile
    this.layer.clearLayers();
    this.layer.addData(collection);
    this.dayOut.textContent = chosen;
    const row = this.summary.days[index];
    this.figures.replaceChildren(...Object.entries(row.gained_km2).flatMap(([party, value]) => [
      el("dt", {}, `${t("front_gain")}: ${partyName(this.agreement, party)}`),
      el("dd", { dataset: { party } }, km2(value))]));
    this.onDay(chosen, collection);
  }

  /** Play (one observed day every 700 ms, from the start after the last day) or pause. */
  toggle(button) {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      button.textContent = t("play");
      return;
    }
    button.textContent = t("pause");
    let index = Number(this.slider.value);
    if (index >= this.days.length - 1) index = -1;
    this.timer = setInterval(() => {
      index += 1;
      if (index >= this.days.length) {
        this.toggle(button);
        return;
      }
      this.show(this.days[index]);
    }, 700);
  }
}
