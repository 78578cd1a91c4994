// What every staff and resident page shares. The pages carry a Content-Security-Policy
// without inline scripts, so behaviour that used to sit in onclick/onchange attributes
// is declared with data attributes and bound here.
(function () {
  "use strict";

  // Data shown in a map tooltip, a popup or a legend goes in as text, never as HTML:
  // a region's name is typed by a grid worker and read in the dispatcher's browser.
  function text(value) {
    const span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }
  // The basemap, when one is configured (none by default: the machines may run
  // offline): the tile layer and, for 天地图, its annotation layer on top.
  function basemap(map) {
    const source = document.getElementById("tiles");
    const tiles = source ? JSON.parse(source.textContent) : {};
    if (!tiles.url) return false;
    const options = { attribution: tiles.attribution, maxZoom: 18, subdomains: tiles.subdomains || "abc" };
    L.tileLayer(tiles.url, options).addTo(map);
    if (tiles.overlay) L.tileLayer(tiles.overlay, { ...options, attribution: "" }).addTo(map);
    if (tiles.attribution) L.control.attribution({ prefix: false }).addTo(map);
    return true;
  }
  // A map's GeoJSON layer fetched with the session; a failure is said in the map's
  // place, as text.
  function layer(element, url, draw) {
    fetch(url, { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(`地图数据加载失败（${response.status}）`);
        return response.json();
      })
      .then(draw)
      .catch((error) => { element.textContent = error.message; });
  }
  // A form's lng and lat filled by a click on the map, with a marker where.
  function pickPlace(map, form) {
    let marker = null;
    map.on("click", (event) => {
      form.elements.lng.value = event.latlng.lng.toFixed(6);
      form.elements.lat.value = event.latlng.lat.toFixed(6);
      if (marker) marker.remove();
      marker = L.marker(event.latlng).addTo(map);
    });
  }
  window.Pingan = { text, basemap, layer, pickPlace };

  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.submit();
  });
  document.addEventListener("click", (event) => {
    const all = event.target.closest("[data-check-all]");
    if (all) document.querySelectorAll(all.dataset.checkAll).forEach((box) => { box.checked = all.checked; });
    if (event.target.closest("[data-print]")) window.print();
  });
})();
