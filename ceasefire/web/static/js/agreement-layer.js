// The agreement's lines, zones, corridors and sites as SVG (few shapes, crisp edges).

const ZONE_COLOURS = ["#f2a541", "#4fb3bf", "#c678dd", "#e5c07b", "#98c379", "#61afef"];
const LINE_COLOURS = ["#ff5c5c", "#ffd166", "#c3a6ff", "#ffffff"];
export const LINE_COLOUR = LINE_COLOURS[0];
export const CORRIDOR_COLOUR = "#56d6f5";
export const SITE_COLOUR = "#ffffff";

/** Whether a feature is drawn: zones without a regime are building blocks (the territory,
 * the land mask) of the zones and lines that are, as in `ceasefire agreement map`. */
export function shown(feature) {
  const { kind, regime } = feature.properties;
  return kind !== "zone" || Boolean(regime);
}

/** Style and legend colour of each shown feature, zones cycling through their own hues. */
export function styleFeatures(features) {
  let zone = 0;
  let line = 0;
  const order = { zone: 0, corridor: 1, line: 2, site: 3 };
  return features
    .filter(shown)
    .sort((a, b) => (order[a.properties.kind] ?? 9) - (order[b.properties.kind] ?? 9))
    .map((feature) => {
      const kind = feature.properties.kind;
      if (kind === "line") {
        const colour = LINE_COLOURS[line++ % LINE_COLOURS.length];
        return { feature, colour, style: { color: colour, weight: 3 } };
      }
      if (kind === "corridor") {
        return { feature, colour: CORRIDOR_COLOUR,
          style: { color: CORRIDOR_COLOUR, weight: 2.5, dashArray: "6 4", fillOpacity: 0.15 } };
      }
      if (kind === "site") return { feature, colour: SITE_COLOUR, style: { color: SITE_COLOUR, weight: 2 } };
      const colour = ZONE_COLOURS[zone++ % ZONE_COLOURS.length];
      return { feature, colour,
        style: { color: colour, weight: 1.5, dashArray: "4 3", fillColor: colour, fillOpacity: 0.1 } };
    });
}

/** Add the styled features to `map`; returns the Leaflet layer and its legend rows. */
export function drawAgreement(map, collection, describe) {
  const lang = document.documentElement.lang; // labels in the page's language, if translated
  for (const f of collection.features ?? []) f.properties.label = f.properties.labels?.[lang] ?? f.properties.label;
  const renderers = { zones: L.svg({ pane: "zones", padding: 0.3 }), lines: L.svg({ pane: "lines", padding: 0.3 }) };
  const styled = styleFeatures(collection.features ?? []);
  const group = L.featureGroup();
  for (const { feature, style } of styled) {
    const kind = feature.properties.kind;
    const pane = kind === "line" || kind === "site" ? "lines" : "zones";
    const renderer = renderers[pane];
    const layer = L.geoJSON(feature, {
      pane,
      renderer,
      style: () => style,
      pointToLayer: (_, latlng) => L.circleMarker(latlng, { ...style, radius: 6, renderer, fillOpacity: 0.9 }),
    });
    layer.bindTooltip(describe(feature.properties), { sticky: true, className: "geom-tip" });
    group.addLayer(layer);
  }
  group.addTo(map);
  group.eachLayer((layer) => layer.eachLayer((child) => {
    child.getElement()?.setAttribute("data-geometry", child.feature.properties.id);
    child.getElement()?.setAttribute("data-kind", child.feature.properties.kind);
  }));
  return { group, legend: styled };
}
