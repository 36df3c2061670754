// One canvas that draws every incident from typed arrays: 100,000 points redraw in
// tens of milliseconds, where one Leaflet object per incident would take seconds.

export const STATE_COLOURS = {
  reported: "#9aa7b4",
  corroborated: "#f2c14e",
  under_review: "#b48ead",
  verified: "#5fa8ff",
  disputed: "#f08a4b",
  dismissed: "#5c6670",
};
export const BREACH_COLOUR = "#ff3b3b";
const STATES = Object.keys(STATE_COLOURS);
const DAY = 86_400_000;

/** Columns of the incidents: parallel arrays built once from GeoJSON features. */
export function toColumns(features) {
  const n = features.length;
  const columns = {
    n,
    x: new Float64Array(n), // Web Mercator at zoom 0, in 256-pixel tile units
    y: new Float64Array(n),
    time: new Float64Array(n),
    state: new Uint8Array(n),
    breach: new Uint8Array(n),
    features,
  };
  for (let i = 0; i < n; i++) {
    const feature = features[i];
    const [lon, lat] = feature.geometry.coordinates;
    const sin = Math.sin((lat * Math.PI) / 180);
    columns.x[i] = (256 * (lon + 180)) / 360;
    columns.y[i] = 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI));
    const props = feature.properties;
    columns.time[i] = Date.parse(props.observed_start);
    const code = STATES.indexOf(props.state);
    columns.state[i] = code < 0 ? 0 : code;
    columns.breach[i] = props.breach ? 1 : 0;
  }
  return columns;
}

/** Columns `a` then `b`, as one set of columns. */
export function concatColumns(a, b) {
  const join = (x, y) => {
    const out = new x.constructor(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    n: a.n + b.n,
    x: join(a.x, b.x),
    y: join(a.y, b.y),
    time: join(a.time, b.time),
    state: join(a.state, b.state),
    breach: join(a.breach, b.breach),
    features: a.features.concat(b.features),
  };
}

/** The first and last observed day (UTC midnight, ms) of the columns. */
export function dayRange(columns) {
  let min = Infinity;
  let max = -Infinity;
  for (const value of columns.time) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (!Number.isFinite(min)) return [0, 0];
  return [Math.floor(min / DAY) * DAY, Math.floor(max / DAY) * DAY];
}

export const IncidentLayer = L.Layer.extend({
  options: { pane: "incidents", radius: 3.5 },

  initialize(columns, options) {
    L.setOptions(this, options);
    this.columns = columns;
    this.since = -Infinity;
    this.until = Infinity;
    this.selected = -1;
    this.stats = { shown: 0, breaches: 0, drawn: 0, ms: 0 };
  },

  onAdd(map) {
    this._canvas = L.DomUtil.create("canvas", "incident-canvas");
    this._canvas.dataset.layer = "incidents";
    map.getPane(this.options.pane).appendChild(this._canvas);
    map.on("moveend zoomend resize viewreset", this._reset, this);
    map.on("zoomstart", this._hide, this);
    this._reset();
  },

  onRemove(map) {
    L.DomUtil.remove(this._canvas);
    map.off("moveend zoomend resize viewreset", this._reset, this);
    map.off("zoomstart", this._hide, this);
  },

  /** Show only incidents observed in [since, until) (ms since the epoch). */
  setTimeFilter(since, until) {
    this.since = since;
    this.until = until;
    this._scheduleDraw();
  },

  /** Add incidents (a page as it arrives) and redraw. */
  append(columns) {
    this.columns = concatColumns(this.columns, columns);
    this._scheduleDraw();
  },

  select(index) {
    this.selected = index;
    this._scheduleDraw();
  },

  /** The incident drawn nearest a container point, within `tolerance` pixels, or -1. */
  nearest(point, tolerance = 7) {
    const { x, y, time, n } = this.columns;
    const scale = this._map.getZoomScale(this._map.getZoom(), 0);
    const origin = this._map.getPixelBounds().min;
    let best = -1;
    let bestDistance = tolerance * tolerance;
    for (let i = 0; i < n; i++) {
      if (time[i] < this.since || time[i] >= this.until) continue;
      const dx = x[i] * scale - origin.x - point.x;
      const dy = y[i] * scale - origin.y - point.y;
      const distance = dx * dx + dy * dy;
      if (distance <= bestDistance) {
        best = i;
        bestDistance = distance;
      }
    }
    return best;
  },

  _hide() {
    this._canvas.style.visibility = "hidden"; // no smeared points during the zoom animation
  },

  _reset() {
    const map = this._map;
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    const canvas = this._canvas;
    canvas.width = size.x * ratio;
    canvas.height = size.y * ratio;
    canvas.style.width = `${size.x}px`;
    canvas.style.height = `${size.y}px`;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    canvas.style.visibility = "visible";
    this._draw();
  },

  _scheduleDraw() {
    if (this._frame) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = null;
      this._draw();
    });
  },

  _draw() {
    const started = performance.now();
    const map = this._map;
    if (!map) return;
    const ctx = this._canvas.getContext("2d");
    const ratio = window.devicePixelRatio || 1;
    const size = map.getSize();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);

    const { x, y, time, state, breach, n } = this.columns;
    const scale = map.getZoomScale(map.getZoom(), 0);
    const origin = map.getPixelBounds().min;
    const r = this.options.radius;
    const paths = STATES.map(() => new Path2D());
    const breaches = new Path2D();
    let shown = 0;
    let breachCount = 0;
    let drawn = 0;
    for (let i = 0; i < n; i++) {
      if (time[i] < this.since || time[i] >= this.until) continue;
      shown++;
      if (breach[i]) breachCount++;
      const px = x[i] * scale - origin.x;
      const py = y[i] * scale - origin.y;
      if (px < -8 || py < -8 || px > size.x + 8 || py > size.y + 8) continue;
      drawn++;
      const path = breach[i] ? breaches : paths[state[i]];
      path.moveTo(px + r, py);
      path.arc(px, py, r, 0, 2 * Math.PI);
    }
    ctx.globalAlpha = 0.8;
    STATES.forEach((name, code) => {
      ctx.fillStyle = STATE_COLOURS[name];
      ctx.fill(paths[code]);
    });
    ctx.globalAlpha = 1;
    ctx.fillStyle = BREACH_COLOUR;
    ctx.fill(breaches);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#ffd9d9";
    ctx.stroke(breaches);
    this._drawSelected(ctx, scale, origin);

    this.stats = { shown, breaches: breachCount, drawn, ms: performance.now() - started };
    this.fire("drawn", this.stats);
  },

  _drawSelected(ctx, scale, origin) {
    const i = this.selected;
    if (i < 0) return;
    const px = this.columns.x[i] * scale - origin.x;
    const py = this.columns.y[i] * scale - origin.y;
    ctx.beginPath();
    ctx.arc(px, py, 9, 0, 2 * Math.PI);
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
  },
});
