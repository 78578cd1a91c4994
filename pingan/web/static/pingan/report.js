// The resident's report form: place the problem on the map or take the phone's
// location, and before filing show open reports of the same kind nearby.
(function () {
  "use strict";
  const form = document.getElementById("report");
  if (!form) return;
  const status = document.getElementById("location-status");
  const button = document.getElementById("use-location");
  const element = document.getElementById("map");
  let marker = null;
  let map = null;

  function place(lng, lat, picked, text) {
    form.elements.lng.value = lng.toFixed(6);
    form.elements.lat.value = lat.toFixed(6);
    form.elements.picked.value = picked ? "1" : "0";
    status.textContent = text;
    if (map) {
      if (marker) marker.setLatLng([lat, lng]);
      else marker = L.marker([lat, lng]).addTo(map);
    }
    lookNearby();
  }

  if (element && window.L) {
    map = L.map(element, { zoomSnap: 0.25, attributionControl: false });
    Pingan.basemap(map);
    const grid = L.geoJSON(JSON.parse(document.getElementById(element.dataset.inline).textContent), {
      style: { color: "#2b6cb0", weight: 2, fillOpacity: 0.1 },
    }).addTo(map);
    const bounds = grid.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    else map.setView([36.47, 102.05], 12);
    map.on("click", (e) => place(e.latlng.lng, e.latlng.lat, true, "已在地图上选定位置"));
    const lng = parseFloat(form.elements.lng.value);
    const lat = parseFloat(form.elements.lat.value);
    if (!Number.isNaN(lng) && !Number.isNaN(lat)) marker = L.marker([lat, lng]).addTo(map);
  }

  if (button && navigator.geolocation) {
    button.addEventListener("click", () => {
      status.textContent = "正在获取位置…";
      navigator.geolocation.getCurrentPosition(
        (p) => place(p.coords.longitude, p.coords.latitude, false, "已使用您现在的位置"),
        () => { status.textContent = "无法获取位置，将按二维码所在网格定位"; },
        { enableHighAccuracy: true, timeout: 10000 },
      );
    });
  } else if (button) {
    button.hidden = true;
  }

  // Open reports nearby: category, state, distance and age only (text nodes).
  const nearby = document.getElementById("nearby");
  const list = document.getElementById("nearby-list");
  async function lookNearby() {
    const category = form.elements.category.value;
    const lng = form.elements.lng.value;
    const lat = form.elements.lat.value;
    if (!nearby || !category || !lng || !lat) return;
    const query = new URLSearchParams({ category, lng, lat });
    try {
      const response = await fetch(`${nearby.dataset.url}?${query}`, { credentials: "same-origin" });
      const body = await response.json();
      list.replaceChildren(...body.items.map((item) => {
        const li = document.createElement("li");
        const age = item.days === 0 ? "今天" : `${item.days}天前`;
        li.textContent = `${item.category} · ${item.state} · 约${item.metres}米 · ${age}反映`;
        return li;
      }));
      nearby.hidden = body.items.length === 0;
    } catch (err) {
      nearby.hidden = true; // no signal: filing still works
    }
  }
  form.elements.category.addEventListener("change", lookNearby);
})();
