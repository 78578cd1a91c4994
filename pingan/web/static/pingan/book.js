// The booking page: the places left in each half-day at the chosen village's desk,
// fetched again when the village or the kind of visit changes; a full one cannot
// be chosen.
(function () {
  "use strict";
  const form = document.getElementById("book");
  const slots = document.getElementById("slots");
  if (!form || !slots) return;

  async function refresh() {
    const village = form.elements.village.value;
    const kind = form.elements.kind.value;
    if (!village) return;
    try {
      const response = await fetch(`${slots.dataset.free}?${new URLSearchParams({ village, kind })}`, { credentials: "same-origin" });
      const body = await response.json();
      for (const row of body.days) {
        for (const slot of Object.keys(row)) {
          if (slot === "day") continue;
          const label = slots.querySelector(`.left[data-day="${row.day}"][data-slot="${slot}"]`);
          if (!label) continue;
          const left = row[slot];
          label.textContent = left === null ? "选村后显示名额" : left === 0 ? "已约满" : `剩 ${left} 个`;
          const radio = label.closest("label").querySelector("input");
          radio.disabled = left === 0;
          if (radio.disabled) radio.checked = false;
        }
      }
    } catch (error) { /* the server still refuses a full half-day */ }
  }
  form.elements.village.addEventListener("change", refresh);
  form.elements.kind.addEventListener("change", refresh);
  refresh();
})();
