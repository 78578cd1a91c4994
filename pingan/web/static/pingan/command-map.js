// The command map: grids coloured by the chosen measure (five classes), open events
// as markers (red when overdue), the last 30 days' events as a heat layer. A click
// opens the grid or the event.
(function () {
  "use strict";
  const element = document.getElementById("command-map");
  if (!element || !window.L) return;
  const data = JSON.parse(document.getElementById("map-layers").textContent);
  const map = L.map(element, { attributionControl: false });
  Pingan.basemap(map);

  // Classes come from the server (command/maps.py class_breaks): a class for the
  // grids with none, the rest at quantiles of the values actually there.
  const COLOURS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];
  const classes = data.classes;
  const zero = classes.length && classes[0].high === 0 ? 1 : 0;
  const nonzero = classes.length - zero;
  // Grids with none are the palest; the other classes take the darkest colours.
  const colourOf = (i) => (i < zero ? COLOURS[0] : COLOURS[COLOURS.length - nonzero + (i - zero)]);
  const classOf = (v) => Math.max(0, classes.findIndex((c) => v >= c.low && v <= c.high));

  const grids = L.geoJSON(data.grids, {
    style: (f) => ({ color: "#555", weight: 0.6, fillOpacity: 0.75, fillColor: colourOf(classOf(f.properties.value)) }),
    onEachFeature: (f, layer) => {
      layer.bindTooltip(Pingan.text(`${f.properties.name}：${data.label} ${f.properties.value}`), { sticky: true });
      layer.on("click", () => { window.location = element.dataset.gridLink.replace("CODE", f.properties.code); });
    },
  });
  const bounds = grids.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds); else map.setView([36.47, 102.05], 10);
  grids.addTo(map);

  const events = L.layerGroup(data.events.map((e) => L.circleMarker([e.lat, e.lng], {
    radius: 4, weight: 1, color: e.overdue ? "#c53030" : "#dd6b20", fillOpacity: 0.9,
  }).bindTooltip(Pingan.text(`${e.receipt} ${e.category}`)).on("click", () => {
    window.location = element.dataset.eventLink.replace("/0/", `/${e.id}/`);
  }))).addTo(map);
  const heat = L.heatLayer ? L.heatLayer(data.heat, { radius: 18, blur: 22, maxZoom: 13 }).addTo(map) : null;
  // 慧停车: each place's free spaces now, green / amber at 80% / red when full.
  const fullness = (p) => (!p.capacity || p.free <= 0 ? "#c53030" : p.free / p.capacity <= 0.2 ? "#d69e2e" : "#2f855a");
  const parking = L.layerGroup((data.parking || []).map((p) => L.circleMarker([p.lat, p.lng], {
    radius: 6, weight: 2, color: "#1a202c", fillColor: fullness(p), fillOpacity: 1,
  }).bindTooltip(Pingan.text(`${p.name} 空位 ${p.free}/${p.capacity}`)).on("click", () => {
    window.location = element.dataset.parkingLink.replace("CODE", encodeURIComponent(p.code));
  }))).addTo(map);
  element.dataset.parking = String((data.parking || []).length);

  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const box = L.DomUtil.create("div", "legend");
    box.id = "legend";
    const title = box.appendChild(document.createElement("strong"));
    title.textContent = data.label;
    classes.forEach((c) => {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createElement("i")).style.background = colourOf(classes.indexOf(c));
      box.appendChild(document.createTextNode(c.label));
    });
    return box;
  };
  legend.addTo(map);

  const toggle = (id, layer) => {
    const box = document.getElementById(id);
    if (box && layer) box.addEventListener("change", () => (box.checked ? layer.addTo(map) : layer.remove()));
  };
  toggle("show-events", events);
  toggle("show-heat", heat);
  toggle("show-parking", parking);
  element.dataset.grids = String(data.grids.features.length);
  element.dataset.events = String(data.events.length);
})();
