// A stacked bar chart in plain SVG: one bar per day, one colour per series.

const NS = "http://www.w3.org/2000/svg";
export const SERIES_COLOURS = ["#ff5c5c", "#5fa8ff", "#f2c14e", "#98c379", "#c678dd", "#4fb3bf", "#f08a4b", "#9aa7b4"];

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draw `rows` ([{day, key, count}]) into `container`; returns the series keys in order. */
export function stackedBars(container, rows, { width = 1000, height = 260, minDays = 14 } = {}) {
  const days = dayAxis(rows.map((r) => r.day), minDays);
  const totals = new Map();
  for (const r of rows) totals.set(r.key, (totals.get(r.key) ?? 0) + r.count);
  const keys = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a));
  const byDay = new Map(days.map((d) => [d, new Map()]));
  for (const r of rows) byDay.get(r.day)?.set(r.key, (byDay.get(r.day).get(r.key) ?? 0) + r.count);
  const max = Math.max(1, ...[...byDay.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0)));

  const pad = { left: 40, right: 10, top: 10, bottom: 28 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  const axis = svg("g", { class: "axis" });
  const step = niceStep(max);
  for (let v = 0; v <= max; v += step) {
    const y = pad.top + plotH - (v / max) * plotH;
    axis.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y, y2: y }));
    axis.append(svg("text", { x: pad.left - 6, y: y + 4, "text-anchor": "end" }, String(v)));
  }
  root.append(axis);
  const slot = plotW / Math.max(days.length, 1);
  const barW = Math.min(slot, 48);
  const labelEvery = Math.ceil(days.length / 12);
  days.forEach((day, i) => {
    let y = pad.top + plotH;
    const x = pad.left + i * slot + (slot - barW) / 2;
    keys.forEach((key, k) => {
      const count = byDay.get(day).get(key) ?? 0;
      if (!count) return;
      const h = (count / max) * plotH;
      y -= h;
      const bar = svg("rect", { x: x + barW * 0.1, y, width: Math.max(barW * 0.8, 1), height: h,
        fill: SERIES_COLOURS[k % SERIES_COLOURS.length], "data-day": day, "data-key": key });
      bar.append(svg("title", {}, `${day} · ${key}: ${count}`));
      root.append(bar);
    });
    if (i % labelEvery === 0) {
      root.append(svg("text", { x: x + barW / 2, y: height - 8, "text-anchor": "middle" }, day.slice(5)));
    }
  });
  container.replaceChildren(root);
  return keys;
}

/** Every day from the first to the last (at least `minDays`, ending on the last). */
function dayAxis(found, minDays) {
  const sorted = [...new Set(found)].sort();
  if (!sorted.length) return [];
  const last = Date.parse(`${sorted.at(-1)}T00:00:00Z`);
  const first = Math.min(Date.parse(`${sorted[0]}T00:00:00Z`), last - (minDays - 1) * 86_400_000);
  const days = [];
  for (let at = first; at <= last; at += 86_400_000) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

function niceStep(max) {
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? power * 10;
}
