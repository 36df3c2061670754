// One canvas that draws every incident from typed arrays, stamping dots straight into
// pixels: 100,000 incidents redraw in tens of milliseconds, where one Leaflet object
// per incident (or one canvas arc each) takes seconds to draw and rasterize.

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

/** "#rrggbb" as one RGBA pixel in the platform's byte order (ImageData is RGBA bytes). */
function rgba(hex, alpha = 255) {
  const bytes = new Uint8ClampedArray([
    parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), alpha,
  ]);
  return new Uint32Array(bytes.buffer)[0];
}
const STATE_RGBA = STATES.map((name) => rgba(STATE_COLOURS[name], 235));
const RING_RGBA = rgba("#ffd9d9");

/** Pixel offsets (in a row-major buffer `width` wide) of a filled disc of radius `r`. */
function disc(r, width) {
  const offsets = [];
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      if (dx * dx + dy * dy <= r * r + r) offsets.push(dy * width + dx);
    }
  }
  return Int32Array.from(offsets);
}

function stamp(pixels, at, offsets, colour) {
  for (let k = 0; k < offsets.length; k++) pixels[at + offsets[k]] = colour;
}
const DAY = 86_400_000;
const BREACH_RGBA = rgba(BREACH_COLOUR);

/** Empty columns for `n` incidents; `incident(i)` gives incident i as a GeoJSON-like feature. */
function emptyColumns(n, incident) {
  return {
    n,
    x: new Float64Array(n), // Web Mercator at zoom 0, in 256-pixel tile units
    y: new Float64Array(n),
    time: new Float64Array(n),
    state: new Uint8Array(n),
    breach: new Uint8Array(n),
    incident,
  };
}

function project(columns, i, lon, lat) {
  const sin = Math.sin((lat * Math.PI) / 180);
  columns.x[i] = (256 * (lon + 180)) / 360;
  columns.y[i] = 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI));
}

/** Columns of the incidents: parallel arrays built once from GeoJSON features. */
export function toColumns(features) {
  const n = features.length;
  const columns = emptyColumns(n, (i) => features[i]);
  for (let i = 0; i < n; i++) {
    const feature = features[i];
    const [lon, lat] = feature.geometry.coordinates;
    project(columns, i, lon, lat);
    const props = feature.properties;
    columns.time[i] = Date.parse(props.observed_start);
    const code = STATES.indexOf(props.state);
    columns.state[i] = code < 0 ? 0 : code;
    columns.breach[i] = props.breach ? 1 : 0;
  }
  return columns;
}

/** Columns from the API's columnar answer (/api/map/incidents): no feature objects. */
export function fromMapColumns(data) {
  const n = data.n;
  const stateCode = data.states.map((name) => Math.max(0, STATES.indexOf(name)));
  // the side panel's summary of one incident, built only when it is clicked
  const incident = (i) => ({
    properties: {
      id: data.ids[i],
      event_type: data.types[data.type[i]],
      observed_start: new Date(data.t[i] * 1000).toISOString(),
      state: data.states[data.state[i]],
      party: data.parties[data.party[i]],
      breach: data.breach[i] === 1,
      clauses: data.clauses[String(i)] ?? [],
      n_sources: data.n_sources[i],
      score: data.score?.[i],
    },
  });
  const columns = emptyColumns(n, incident);
  const { lon, lat, t, state, breach } = data;
  for (let i = 0; i < n; i++) {
    project(columns, i, lon[i], lat[i]);
    columns.time[i] = t[i] * 1000;
    columns.state[i] = stateCode[state[i]];
    columns.breach[i] = breach[i];
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
    incident: (i) => (i < a.n ? a.incident(i) : b.incident(i - a.n)),
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
  options: { pane: "incidents", radius: 3 },

  initialize(columns, options) {
    L.setOptions(this, options);
    this.columns = columns;
    this.since = -Infinity;
    this.until = Infinity;
    this.selected = -1;
    this.mask = null; // Uint8Array: 1 = passes the filters (null: all do)
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

  /** Show only incidents whose `mask` entry is 1 (null: every incident). */
  setMask(mask) {
    this.mask = mask;
    this._scheduleDraw();
  },

  /** Whether incident `i` passes the time filter and the mask. */
  shows(i) {
    const t = this.columns.time[i];
    return t >= this.since && t < this.until && (!this.mask || this.mask[i] === 1);
  },

  /** Add incidents (a page as it arrives) and redraw. */
  append(columns) {
    this.columns = concatColumns(this.columns, columns);
    this._scheduleDraw();
  },

  /** Replace every incident (one columnar answer) and redraw. */
  setColumns(columns) {
    this.columns = columns;
    this._scheduleDraw();
  },

  select(index) {
    this.selected = index;
    this._scheduleDraw();
  },

  /** The incident drawn nearest a container point, within `tolerance` pixels, or -1. */
  nearest(point, tolerance = 7) {
    return this.within(point, tolerance)[0] ?? -1;
  },

  /** Every incident drawn within `tolerance` pixels of a container point, nearest first. */
  within(point, tolerance = 7) {
    const { x, y, n } = this.columns;
    const scale = this._map.getZoomScale(this._map.getZoom(), 0);
    const origin = this._map.getPixelBounds().min;
    const found = [];
    for (let i = 0; i < n; i++) {
      if (!this.shows(i)) continue;
      const dx = x[i] * scale - origin.x - point.x;
      const dy = y[i] * scale - origin.y - point.y;
      const distance = dx * dx + dy * dy;
      if (distance <= tolerance * tolerance) found.push([distance, i]);
    }
    return found.sort((a, b) => a[0] - b[0]).map(([, i]) => i);
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
    const width = this._canvas.width;
    const height = this._canvas.height;
    // Dots are stamped into pixels and put once: a canvas path of 100,000 arcs
    // records fast but then takes seconds to rasterize at the next frame.
    const image = ctx.createImageData(width, height);
    const pixels = new Uint32Array(image.data.buffer);

    const { x, y, time, state, breach, n } = this.columns;
    const mask = this.mask;
    const scale = map.getZoomScale(map.getZoom(), 0) * ratio;
    const origin = map.getPixelBounds().min;
    const ox = origin.x * ratio;
    const oy = origin.y * ratio;
    const r = Math.round(this.options.radius * ratio);
    const dot = disc(r, width);
    const ring = disc(r + Math.max(1, Math.round(ratio)), width);
    let shown = 0;
    let breachCount = 0;
    let drawn = 0;
    const margin = r + 2;
    for (let pass = 0; pass < 2; pass++) { // breaches last, on top
      for (let i = 0; i < n; i++) {
        if (time[i] < this.since || time[i] >= this.until || breach[i] !== pass) continue;
        if (mask && !mask[i]) continue;
        shown++;
        breachCount += pass;
        const px = Math.round(x[i] * scale - ox);
        const py = Math.round(y[i] * scale - oy);
        if (px < margin || py < margin || px >= width - margin || py >= height - margin) continue;
        drawn++;
        const at = py * width + px;
        if (pass) {
          stamp(pixels, at, ring, RING_RGBA);
          stamp(pixels, at, dot, BREACH_RGBA);
        } else {
          stamp(pixels, at, dot, STATE_RGBA[state[i]]);
        }
      }
    }
    ctx.putImageData(image, 0, 0);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this._drawSelected(ctx, scale / ratio, origin);

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
