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
  window.Pingan = { text, basemap };

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
