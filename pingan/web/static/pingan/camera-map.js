// The camera layer: each camera a dot and its view a sector, green when working,
// red when offline or broken; tooltips and links from text only. The sector is
// drawn here from the camera's direction, angle and range (as video.selectors.
// sector does for GIS clients), which keeps a 10,000-camera layer small.
(function () {
  "use strict";
  const element = document.getElementById("camera-map");
  if (!element) return;
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false, preferCanvas: true });
  Pingan.basemap(map);
  const link = element.dataset.link;
  const colour = (p) => (p.working ? "#2f855a" : "#c53030");
  const STEPS = 12;
  const METRES_PER_DEGREE = 111320;

  function sector(lng, lat, p) {
    const north = p.view_range / METRES_PER_DEGREE;
    const east = north / Math.max(Math.cos((lat * Math.PI) / 180), 0.01);
    const start = p.direction - p.view_angle / 2;
    const arc = [];
    for (let i = 0; i <= STEPS; i++) {
      const bearing = ((start + (p.view_angle * i) / STEPS) * Math.PI) / 180;
      arc.push([lat + north * Math.cos(bearing), lng + east * Math.sin(bearing)]);
    }
    return p.view_angle >= 360 ? arc : [[lat, lng], ...arc];
  }

  Pingan.layer(element, element.dataset.geojson, (collection) => {
    const views = L.layerGroup().addTo(map);
    const layer = L.geoJSON(collection, {
      pointToLayer: (f, at) => {
        const style = { color: colour(f.properties), weight: 1, fillOpacity: 0.15, interactive: false };
        L.polygon(sector(at.lng, at.lat, f.properties), style).addTo(views);
        return L.circleMarker(at, { radius: 4, weight: 1, color: "#1a202c", fillColor: colour(f.properties), fillOpacity: 1 });
      },
      onEachFeature: (f, l) => {
        l.bindTooltip(Pingan.text(`${f.properties.name} ${f.properties.device_id}${f.properties.online ? "" : "（离线）"}`));
        if (link) l.on("click", () => { window.location = link.replace("DEVICE", encodeURIComponent(f.properties.device_id)); });
      },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
    else map.setView([36.47, 102.05], 11);
    element.dataset.features = String(collection.features.length);
    // The layer draws on a canvas (no element per sector), so the count of
    // views drawn is told here for whoever checks the map.
    element.dataset.views = String(views.getLayers().length);
  });

  if (element.dataset.pick) Pingan.pickPlace(map, document.getElementById(element.dataset.pick));
})();
