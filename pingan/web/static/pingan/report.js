// The resident's report form: fill the location from the phone when asked.
(function () {
  "use strict";
  const button = document.getElementById("use-location");
  const status = document.getElementById("location-status");
  const form = document.getElementById("report");
  if (!button || !navigator.geolocation) { if (button) button.hidden = true; return; }
  button.addEventListener("click", () => {
    status.textContent = "正在获取位置…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.lng.value = position.coords.longitude.toFixed(6);
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        status.textContent = "已使用您现在的位置";
      },
      () => { status.textContent = "无法获取位置，将按二维码所在网格定位"; },
      { enableHighAccuracy: true, timeout: 10000 },
    );
  });
})();
