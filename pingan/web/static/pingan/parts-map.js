// The 部件 layer: each part a dot coloured by its state (a line part a line), its
// tooltip and the link to its page built from text only. On the new-part form a
// click on the map fills the longitude and latitude.
(function () {
  "use strict";
  const element = document.getElementById("parts-map");
  if (!element) return;
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false, preferCanvas: true });
  Pingan.basemap(map);
  const colours = { good: "#2f855a", damaged: "#c53030", lost: "#6b46c1", occupied: "#b7791f", scrapped: "#718096" };
  const link = element.dataset.link;

  function draw(collection) {
    collection.features.sort((a, b) => (a.properties.state === "good" ? 0 : 1) - (b.properties.state === "good" ? 0 : 1));
    const layer = L.geoJSON(collection, {
      // A part that needs attention is drawn larger, over the sound ones.
      pointToLayer: (f, at) => L.circleMarker(at, { radius: f.properties.state === "good" ? 3 : 6, weight: f.properties.state === "good" ? 0 : 1, color: "#1a202c", fillOpacity: 0.9, fillColor: colours[f.properties.state] || "#2b6cb0" }),
      style: (f) => ({ color: colours[f.properties.state] || "#2b6cb0", weight: 3 }),
      onEachFeature: (f, l) => {
        l.bindTooltip(Pingan.text(`${f.properties.name} ${f.properties.code}`));
        if (link) l.on("click", () => { window.location = link.replace("CODE", encodeURIComponent(f.properties.code)); });
      },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 17 });
    else map.setView([36.47, 102.05], 11);
    element.dataset.features = String(layer.getLayers().length);
    if (collection.truncated) element.dataset.truncated = "1";
  }

  if (element.dataset.pick) Pingan.pickPlace(map, document.getElementById(element.dataset.pick));

  // The grid the part is in, as an outline under it (a part's own page).
  if (element.dataset.outline) {
    fetch(element.dataset.outline, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((grid) => {
        if (!grid) return;
        const outline = L.geoJSON(grid, { style: { color: "#2b6cb0", weight: 2, fillOpacity: 0.08 }, interactive: false }).addTo(map).bringToBack();
        if (outline.getBounds().isValid()) map.fitBounds(outline.getBounds(), { padding: [8, 8] });
      });
  }

  Pingan.layer(element, element.dataset.geojson, draw);
})();
