// Choosing a village among a district's 118: the township first, then its
// villages, or typed part of the name. Without this script the select still
// works (its villages grouped by township).
(function () {
  "use strict";
  document.querySelectorAll("[data-village-pick]").forEach((box) => {
    const township = box.querySelector("[data-township]:not(option):not(optgroup)");
    const search = box.querySelector("[data-village-search]");
    const select = box.querySelector("select[name=village]");
    const options = Array.from(select.querySelectorAll("option[data-township]"));
    search.hidden = false;
    const chosen = options.find((o) => o.selected);
    if (chosen) township.value = chosen.dataset.township;

    function show() {
      const town = township.value;
      const words = search.value.trim();
      options.forEach((option) => {
        const fits = (!town || option.dataset.township === town) && (!words || option.textContent.includes(words));
        option.hidden = !fits;
        option.disabled = !fits;
      });
      select.querySelectorAll("optgroup").forEach((group) => {
        group.hidden = !Array.from(group.children).some((o) => !o.hidden);
      });
      const selected = select.selectedOptions[0];
      if (selected && selected.hidden) select.value = "";
      const left = options.filter((o) => !o.hidden);
      if (left.length === 1) { select.value = left[0].value; select.dispatchEvent(new Event("change", { bubbles: true })); }
    }
    township.addEventListener("change", show);
    search.addEventListener("input", show);
    show();
  });
})();
