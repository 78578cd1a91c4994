// The parking map: each 路内 segment a line and each 路外 lot a dot, coloured by
// how full it is; tooltips from text only, a click opens the place's day.
(function () {
  "use strict";
  const element = document.getElementById("parking-map");
  if (!element) return;
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false });
  Pingan.basemap(map);
  const link = element.dataset.link;
  function colour(p) {
    if (!p.capacity || p.free <= 0) return "#c53030";
    return p.occupied / p.capacity >= 0.8 ? "#d69e2e" : "#2f855a";
  }
  Pingan.layer(element, element.dataset.geojson, (collection) => {
    const layer = L.geoJSON(collection, {
      style: (f) => ({ color: colour(f.properties), weight: 6, opacity: 0.9 }),
      pointToLayer: (f, at) => L.circleMarker(at, { radius: 8, weight: 1, color: "#1a202c", fillColor: colour(f.properties), fillOpacity: 1 }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindTooltip(Pingan.text(`${p.name} 空位 ${p.free}/${p.capacity}`));
        if (link) l.on("click", () => { window.location = link.replace("CODE", encodeURIComponent(p.code)); });
      },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    else map.setView([36.50, 102.10], 13);
    element.dataset.features = String(collection.features.length);
  });
})();
