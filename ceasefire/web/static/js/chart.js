// Charts in plain SVG: stacked bars per time bin, signed grouped bars, a rate line.
import { binLabel, binStart, binsBetween, dayMs } from "./bins.js";

const NS = "http://www.w3.org/2000/svg";
export const SERIES_COLOURS = ["#ff5c5c", "#5fa8ff", "#f2c14e", "#98c379", "#c678dd", "#4fb3bf", "#f08a4b", "#9aa7b4"];
const PAD = { left: 48, right: 44, top: 10, bottom: 28 };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A frame: the SVG root, the plot's size, and y(value) for values in [min, max]. */
function frame(width, height, min, max) {
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  const y = (v) => PAD.top + plotH - ((v - min) / (max - min || 1)) * plotH;
  const axis = svg("g", { class: "axis" });
  const step = niceStep(max - min);
  for (let v = Math.ceil(min / step) * step; v <= max; v += step) {
    axis.append(svg("line", { x1: PAD.left, x2: width - PAD.right, y1: y(v), y2: y(v) }));
    axis.append(svg("text", { x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, v.toLocaleString()));
  }
  root.append(axis);
  return { root, plotW, plotH, y };
}

/** Bin labels under the bars, at most ~12, each with its year. */
function xLabels(root, bins, unit, slot, height) {
  const every = Math.ceil(bins.length / 12);
  bins.forEach((start, i) => {
    if (i % every) return;
    root.append(svg("text", { x: PAD.left + i * slot + slot / 2, y: height - 8, "text-anchor": "middle", class: "x-label" },
      binLabel(start, unit)));
  });
}

/** Stacked bars of `rows` ([{day, key, count}]) summed into `unit` bins; returns the series keys. */
export function stackedBars(container, rows, unit, { width = 1000, height = 260, minDays = 14 } = {}) {
  const days = rows.map((r) => dayMs(r.day));
  const last = Math.max(...days);
  const first = Math.min(Math.min(...days), unit === "day" ? last - (minDays - 1) * 86_400_000 : Infinity);
  const bins = binsBetween(first, last, unit);
  const totals = new Map();
  for (const r of rows) totals.set(r.key, (totals.get(r.key) ?? 0) + r.count);
  const keys = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a));
  const byBin = new Map(bins.map((b) => [b, new Map()]));
  for (const r of rows) {
    const cell = byBin.get(binStart(dayMs(r.day), unit));
    cell.set(r.key, (cell.get(r.key) ?? 0) + r.count);
  }
  const max = Math.max(1, ...[...byBin.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0)));
  const { root, plotW, plotH, y } = frame(width, height, 0, max);
  const slot = plotW / Math.max(bins.length, 1);
  const barW = Math.min(slot, 48);
  bins.forEach((start, i) => {
    let top = PAD.top + plotH;
    const x = PAD.left + i * slot + (slot - barW) / 2;
    keys.forEach((key, k) => {
      const count = byBin.get(start).get(key) ?? 0;
      if (!count) return;
      const h = PAD.top + plotH - y(count);
      top -= h;
      const bar = svg("rect", { x: x + barW * 0.1, y: top, width: Math.max(barW * 0.8, 1), height: h,
        fill: SERIES_COLOURS[k % SERIES_COLOURS.length], "data-day": binLabel(start, "day"),
        "data-bin": binLabel(start, unit), "data-key": key, "data-count": count });
      bar.append(svg("title", {}, `${binLabel(start, unit)} · ${key}: ${count}`));
      root.append(bar);
    });
  });
  xLabels(root, bins, unit, slot, height);
  container.replaceChildren(root);
  return keys;
}

/** Grouped bars that may be negative: `series` is [{key, colour, values}] over `bins` (labels given). */
export function signedBars(container, bins, unit, series, { width = 1000, height = 240 } = {}) {
  const all = series.flatMap((s) => s.values);
  const min = Math.min(0, ...all);
  const max = Math.max(1, ...all);
  const { root, plotW, y } = frame(width, height, min, max);
  const slot = plotW / Math.max(bins.length, 1);
  const barW = Math.min(slot * 0.8, 40) / series.length;
  bins.forEach((start, i) => {
    series.forEach((s, k) => {
      const value = s.values[i];
      const x = PAD.left + i * slot + (slot - barW * series.length) / 2 + k * barW;
      const bar = svg("rect", { x, y: Math.min(y(value), y(0)), width: Math.max(barW - 1, 1),
        height: Math.abs(y(value) - y(0)), fill: s.colour, "data-bin": binLabel(start, unit), "data-key": s.key,
        "data-value": value.toFixed(2) });
      bar.append(svg("title", {}, `${binLabel(start, unit)} · ${s.label}: ${value.toFixed(1)} km²`));
      root.append(bar);
    });
  });
  root.append(svg("line", { class: "zero", x1: PAD.left, x2: width - PAD.right, y1: y(0), y2: y(0) }));
  xLabels(root, bins, unit, slot, height);
  container.replaceChildren(root);
}

/** Bars of `counts` with a `rates` line (0–1, right axis; null leaves a gap) over `bins`. */
export function barsWithRate(container, bins, unit, counts, rates, { width = 1000, height = 240 } = {}) {
  const max = Math.max(1, ...counts);
  const { root, plotW, plotH, y } = frame(width, height, 0, max);
  const slot = plotW / Math.max(bins.length, 1);
  const barW = Math.max(Math.min(slot * 0.8, 40), 1);
  bins.forEach((start, i) => {
    const bar = svg("rect", { x: PAD.left + i * slot + (slot - barW) / 2, y: y(counts[i]), width: barW,
      height: PAD.top + plotH - y(counts[i]), fill: SERIES_COLOURS[0], "data-bin": binLabel(start, unit), "data-count": counts[i] });
    bar.append(svg("title", {}, `${binLabel(start, unit)}: ${counts[i]}`));
    root.append(bar);
  });
  const rateY = (r) => PAD.top + plotH - r * plotH;
  let d = "";
  rates.forEach((r, i) => {
    if (r === null) return;
    d += `${d && rates[i - 1] !== null ? "L" : "M"}${PAD.left + i * slot + slot / 2},${rateY(r)}`;
  });
  root.append(svg("path", { d, class: "rate", fill: "none", stroke: SERIES_COLOURS[1], "stroke-width": 2 }));
  for (const r of [0, 0.5, 1]) {
    root.append(svg("text", { x: width - PAD.right + 4, y: rateY(r) + 4, class: "rate-label" }, `${r * 100}%`));
  }
  xLabels(root, bins, unit, slot, height);
  container.replaceChildren(root);
}

function niceStep(span) {
  const raw = span / 4;
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? power * 10;
}
