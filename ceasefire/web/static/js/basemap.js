// A Leaflet map with no tile server: land, oblasts and raions drawn from the bundled
// boundaries (ceasefire/data/boundaries, served at /basemap/<layer>.geojson), labelled
// in the page's language (/basemap/names.json).
import { lang, t } from "./common.js";

export const UKRAINE = [[44.2, 22.1], [52.5, 40.3]];

const STYLE = {
  land: { stroke: false, fillColor: "#222b35", fillOpacity: 1 },
  raions: { color: "#2d3945", weight: 0.6, fill: false },
  oblasts: { color: "#5b6b7c", weight: 1.1, fill: false },
};

/** A map in `container` with panes for the basemap, the agreement and incidents. */
export function makeMap(container, options = {}) {
  const map = L.map(container, {
    zoomSnap: 0.25,
    minZoom: 4,
    maxZoom: 14,
    attributionControl: true,
    preferCanvas: false,
    ...options,
  });
  if (map.attributionControl) {
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(
      `${t("basemap_attribution")} · <a href="https://leafletjs.com">Leaflet</a> · ${t("no_tiles")}`,
    );
  }
  const panes = { basemap: 200, raions: 210, oblasts: 220, zones: 400, lines: 420, incidents: 450, labels: 460 };
  for (const [name, z] of Object.entries(panes)) {
    map.createPane(name).style.zIndex = String(z);
  }
  map.getPane("labels").style.pointerEvents = "none";
  map.fitBounds(UKRAINE);
  L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);
  return map;
}

/** Draw land, raions (from zoom 7) and oblasts with their labels; resolves when drawn. */
export async function drawBasemap(map) {
  const layers = {};
  await Promise.all(["land", "oblasts", "raions"].map(async (name) => {
    const response = await fetch(`/basemap/${name}.geojson`);
    const data = await response.json();
    const pane = name === "land" ? "basemap" : name;
    const renderer = L.canvas({ pane, padding: 0.2 }); // one canvas per pane keeps the order
    layers[name] = L.geoJSON(data, { pane, renderer, style: STYLE[name], interactive: false });
  }));
  layers.land.addTo(map);
  layers.oblasts.addTo(map);
  const names = lang === "en" ? {} : await placeNames();
  const labels = L.layerGroup(oblastLabels(layers.oblasts, names));
  const byZoom = () => {
    const zoom = map.getZoom();
    if (zoom >= 7) layers.raions.addTo(map); else layers.raions.remove();
    if (zoom >= 6) labels.addTo(map); else labels.remove();
  };
  map.on("zoomend", byZoom);
  byZoom();
  return layers;
}

/** Oblast names by ISO code in the page's language ({} when unavailable: English). */
async function placeNames() {
  try {
    const response = await fetch("/basemap/names.json");
    const data = await response.json();
    return Object.fromEntries(Object.entries(data.names).map(([iso, n]) => [iso, n[lang]]));
  } catch {
    return {};
  }
}

function oblastLabels(oblasts, names) {
  const markers = [];
  oblasts.eachLayer((layer) => {
    const { iso, name: english } = layer.feature.properties;
    const name = (names[iso] ?? english ?? "").replace(/ (Oblast|область)$/, "");
    const icon = L.divIcon({ className: "oblast-label", html: "", iconSize: null });
    const marker = L.marker(layer.getBounds().getCenter(), { icon, pane: "labels", interactive: false });
    marker.on("add", () => { marker.getElement().textContent = name; });
    markers.push(marker);
  });
  return markers;
}
