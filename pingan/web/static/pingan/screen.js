// The big screen's live map and ticker: the area's outlines, the latest events as
// markers, new ones polled every few seconds (data-seconds) and shown at once,
// pulsing, at the head of the ticker. Everything shown is set as text.
(function () {
  "use strict";
  const element = document.getElementById("screen-map");
  const ticker = document.getElementById("ticker");
  if (!element || !window.L) return;
  const map = L.map(element, { attributionControl: false, zoomControl: false, zoomSnap: 0.25 });
  Pingan.basemap(map);
  const areas = L.geoJSON(JSON.parse(document.getElementById("screen-areas").textContent), {
    style: (f) => (f.properties.level === "district"
      ? { color: "#4fd3ff", weight: 3, fill: false }
      : { color: "#3b6cb5", weight: 1.5, fillColor: "#0d2a5c", fillOpacity: 0.6 }),
  }).addTo(map);
  const bounds = areas.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([36.47, 102.05], 10);
  areas.eachLayer((layer) => {
    const props = layer.feature.properties;
    if (props.level !== "district") layer.bindTooltip(Pingan.text(props.name), { permanent: true, direction: "center", className: "area-name" });
  });

  const markers = L.layerGroup().addTo(map);
  let last = 0;
  let shown = 0;
  const MAX_MARKERS = 300;
  const MAX_TICKER = 14;

  function mark(item, fresh) {
    const marker = L.circleMarker([item.lat, item.lng], {
      radius: fresh ? 9 : 6, weight: 2, color: item.urgent ? "#ff7a7a" : "#fbd437", fillOpacity: 0.9,
      className: fresh ? "pulse" : "",
    });
    marker.bindTooltip(Pingan.text(`${item.category} · ${item.place}`));
    markers.addLayer(marker);
    const layers = markers.getLayers();
    if (layers.length > MAX_MARKERS) markers.removeLayer(layers[0]);
  }

  function line(item, fresh) {
    const li = document.createElement("li");
    if (fresh) li.className = "fresh";
    const time = li.appendChild(document.createElement("span"));
    time.className = "time";
    time.textContent = item.at;
    const what = li.appendChild(document.createElement("span"));
    if (item.urgent) what.className = "urgent";
    what.textContent = `${item.category} · ${item.place} · ${item.state}`;
    ticker.prepend(li);
    while (ticker.children.length > MAX_TICKER) ticker.lastElementChild.remove();
    setTimeout(() => li.classList.remove("fresh"), 15000);
  }

  async function poll() {
    try {
      const response = await fetch(`${element.dataset.live}?after=${last}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const body = await response.json();
      const fresh = last !== 0;
      // Newest first from the server; drawn oldest first so the newest ends on top.
      for (const item of body.items.slice().reverse()) {
        mark(item, fresh);
        line(item, fresh);
      }
      shown += body.items.length;
      last = body.last;
      element.dataset.last = String(last);
      element.dataset.shown = String(shown);
      const count = document.getElementById("live-count");
      if (count) count.textContent = `（每${element.dataset.seconds}秒更新）`;
    } catch (error) { /* the wall keeps what it has until the network is back */ }
  }

  poll();
  setInterval(poll, Number(element.dataset.seconds || 10) * 1000);
})();
