// Draws region polygons with Leaflet. Tiles only when a tile server is configured:
// by default the map is polygons on a blank background, which works offline.
(function () {
  "use strict";
  const element = document.getElementById("map");
  if (!element) return;
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false });
  Pingan.basemap(map);

  const palette = ["#2b6cb0", "#2f855a", "#b7791f", "#9b2c2c", "#6b46c1", "#2c7a7b", "#c05621", "#4a5568"];
  const levelStyle = {
    district: { color: "#1a202c", weight: 3, fill: false },
    township: { color: "#2d3748", weight: 2, fillOpacity: 0.08 },
    village: { color: "#4a5568", weight: 1.5, fillOpacity: 0.12 },
    grid: { color: "#2b6cb0", weight: 1, fillOpacity: 0.25 },
  };

  function style(feature) {
    const props = feature.properties;
    const base = levelStyle[props.level] || { color: "#2b6cb0", weight: 1, fillOpacity: 0.3 };
    const colour = palette[hash(props.code || props.name) % palette.length];
    return Object.assign({ fillColor: colour }, base);
  }

  function hash(text) {
    let value = 0;
    for (const ch of String(text)) value = (value * 31 + ch.charCodeAt(0)) >>> 0;
    return value;
  }

  function label(props) {
    const extra = props.households !== undefined ? `（${props.households}户）`
      : props.household_count ? `（${props.household_count}户）` : "";
    return `${props.name}${extra}`;
  }

  function show(collection, focusCode) {
    const gridsOnly = element.dataset.gridsOnly === "1";
    const link = element.dataset.link;
    const layer = L.geoJSON(collection, {
      filter: (f) => f.geometry && (!gridsOnly || f.properties.level === "grid" || f.properties.code === focusCode),
      style: (f) => (f.properties.code === focusCode ? { color: "#e53e3e", weight: 3, fill: false } : style(f)),
      onEachFeature: (f, l) => {
        l.bindTooltip(Pingan.text(label(f.properties)), { sticky: true });
        if (link && f.properties.code && f.properties.code !== focusCode) {
          l.on("click", () => { window.location = link.replace("CODE", f.properties.code); });
        }
      },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    else map.setView([36.47, 102.05], 10);
    element.dataset.features = String(layer.getLayers().length);
  }

  if (element.dataset.inline) {
    show(JSON.parse(document.getElementById(element.dataset.inline).textContent), null);
  } else {
    fetch(element.dataset.geojson, { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(`地图数据加载失败（${response.status}）`);
        return response.json();
      })
      .then((collection) => show(collection, collection.features.length ? collection.features[0].properties.code : null))
      .catch((error) => { element.textContent = error.message; });
  }
})();
