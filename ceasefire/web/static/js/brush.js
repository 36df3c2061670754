// The date-range picker: a histogram of incidents per bin, drag across it to select a range.
import { DAY, binLabel, binsBetween, dayMs, isoDay, nextBin, unitFor } from "./bins.js";

const NS = "http://www.w3.org/2000/svg";
const svg = (tag, attrs = {}) => {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
};

export class TimeBrush {
  /** In `container`: call `onChange(fromDay, toDay)` (YYYY-MM-DD, inclusive) after each drag. */
  constructor(container, onChange) {
    this.container = container;
    this.onChange = onChange;
    this.first = 0;
    this.last = 0;
    this.from = 0;
    this.to = 0;
    this.root = svg("svg", { class: "brush", "data-brush": "" });
    container.replaceChildren(this.root);
    this._wire();
  }

  /** Set the counted incidents: times (ms), a mask of those shown, breach flags. */
  setData(time, mask, breach, first, last) {
    Object.assign(this, { time, mask, breach, first, last });
    this.unit = unitFor((last - first) / DAY + 1);
    this.draw();
  }

  /** Select [from, to] (UTC day ms, inclusive), clamped to the data's days. */
  setRange(from, to) {
    this.from = Math.max(this.first, Math.min(from, this.last));
    this.to = Math.max(this.from, Math.min(to, this.last));
    this._drawSelection();
  }

  /** Incidents (and breaches) per bin; each day's bin is looked up once, not each incident's. */
  counts() {
    const bins = binsBetween(this.first, this.last, this.unit);
    const firstDay = Math.floor(this.first / DAY);
    const binOfDay = new Int32Array(Math.floor(this.last / DAY) - firstDay + 1);
    let k = 0;
    for (let d = 0; d < binOfDay.length; d++) {
      while (k + 1 < bins.length && bins[k + 1] <= (firstDay + d) * DAY) k++;
      binOfDay[d] = k;
    }
    const all = new Uint32Array(bins.length);
    const red = new Uint32Array(bins.length);
    for (let i = 0; i < this.time.length; i++) {
      if (!this.mask[i]) continue;
      const bin = binOfDay[Math.floor(this.time[i] / DAY) - firstDay];
      if (bin === undefined) continue;
      all[bin]++;
      if (this.breach[i]) red[bin]++;
    }
    return { bins, all, red };
  }

  draw() {
    const width = this.container.clientWidth || 800;
    const height = this.container.clientHeight || 64;
    this.width = width;
    this.height = height;
    this.root.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.root.replaceChildren();
    const { bins, all, red } = this.counts();
    const max = Math.max(1, ...all);
    const plot = height - 16;
    const bars = svg("g", { class: "bars" });
    bins.forEach((start, k) => {
      const x0 = this._x(start);
      const w = Math.max(1, this._x(nextBin(start, this.unit)) - x0 - 1);
      const h = (all[k] / max) * plot;
      const hr = (red[k] / max) * plot;
      const title = svg("title");
      title.textContent = `${binLabel(start, this.unit)}: ${all[k]}`;
      const bar = svg("rect", { x: x0, y: plot - h, width: w, height: h, class: "bin", "data-count": all[k] });
      bar.append(title);
      bars.append(bar);
      if (hr) bars.append(svg("rect", { x: x0, y: plot - hr, width: w, height: hr, class: "bin breach" }));
    });
    this.root.append(bars, this._axis(plot));
    this.selection = svg("rect", { class: "selection", y: 0, height: plot });
    this.root.append(this.selection);
    this._drawSelection();
  }

  _axis(plot) {
    const axis = svg("g", { class: "axis" });
    const days = (this.last - this.first) / DAY;
    const unit = days > 500 ? "year" : days > 60 ? "month" : "week";
    const ticks = binsBetween(this.first, this.last, unit).filter((at) => at >= this.first);
    const every = Math.ceil(ticks.length / 10);
    ticks.forEach((at, i) => {
      if (i % every) return;
      const x = this._x(at);
      axis.append(svg("line", { x1: x, x2: x, y1: plot, y2: plot + 4 }));
      const label = svg("text", { x: x + 2, y: plot + 13 });
      label.textContent = binLabel(at, unit);
      axis.append(label);
    });
    return axis;
  }

  _x(ms) {
    const span = Math.max(DAY, this.last + DAY - this.first);
    return ((ms - this.first) / span) * this.width;
  }

  _day(x) {
    const span = this.last + DAY - this.first;
    const ms = this.first + (Math.max(0, Math.min(x, this.width - 0.01)) / this.width) * span;
    return Math.floor(ms / DAY) * DAY;
  }

  _drawSelection() {
    if (!this.selection || !this.width) return;
    const whole = this.from <= this.first && this.to >= this.last;
    const x0 = this._x(this.from);
    this.selection.setAttribute("x", x0);
    this.selection.setAttribute("width", Math.max(1, this._x(this.to + DAY) - x0));
    this.selection.classList.toggle("whole", whole);
  }

  _wire() {
    let start = null;
    const at = (event) => event.clientX - this.root.getBoundingClientRect().left;
    this.root.addEventListener("pointerdown", (event) => {
      start = this._day(at(event));
      this.root.setPointerCapture(event.pointerId);
      this.setRange(start, start);
    });
    this.root.addEventListener("pointermove", (event) => {
      if (start === null) return;
      const here = this._day(at(event));
      this.setRange(Math.min(start, here), Math.max(start, here));
    });
    const end = () => {
      if (start === null) return;
      start = null;
      this.onChange(isoDay(this.from), isoDay(this.to));
    };
    this.root.addEventListener("pointerup", end);
    this.root.addEventListener("pointercancel", end);
    this.root.addEventListener("dblclick", () => {
      this.setRange(this.first, this.last);
      this.onChange(isoDay(this.first), isoDay(this.last));
    });
    new ResizeObserver(() => { if (this.time) this.draw(); }).observe(this.container);
  }
}

export { dayMs, isoDay };
