// The camera layer: each camera a dot and its view a sector, green when working,
// red when offline or broken; tooltips and links from text only.
(function () {
  "use strict";
  const element = document.getElementById("camera-map");
  if (!element) return;
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false, preferCanvas: true });
  Pingan.basemap(map);
  const link = element.dataset.link;
  const colour = (p) => (p.working ? "#2f855a" : "#c53030");

  Pingan.layer(element, element.dataset.geojson, (collection) => {
    const layer = L.geoJSON(collection, {
      style: (f) => ({ color: colour(f.properties), weight: 1, fillOpacity: 0.15 }),
      pointToLayer: (f, at) => L.circleMarker(at, { radius: 4, weight: 1, color: "#1a202c", fillColor: colour(f.properties), fillOpacity: 1 }),
      onEachFeature: (f, l) => {
        if (f.properties.shape !== "camera") return;
        l.bindTooltip(Pingan.text(`${f.properties.name} ${f.properties.device_id}${f.properties.online ? "" : "（离线）"}`));
        if (link) l.on("click", () => { window.location = link.replace("DEVICE", encodeURIComponent(f.properties.device_id)); });
      },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
    else map.setView([36.47, 102.05], 11);
    element.dataset.features = String(collection.features.length / 2);
  });

  if (element.dataset.pick) Pingan.pickPlace(map, document.getElementById(element.dataset.pick));
})();
