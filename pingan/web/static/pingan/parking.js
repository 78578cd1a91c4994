// The driver's pages: sort the places by where the phone is, and follow an order
// until it is paid. Nothing here writes HTML; the server renders every word.
(function () {
  "use strict";
  const locate = document.getElementById("locate");
  if (locate) {
    locate.addEventListener("click", () => {
      const failed = () => { document.getElementById("locate-error").hidden = false; };
      if (!navigator.geolocation) return failed();
      navigator.geolocation.getCurrentPosition((position) => {
        const query = new URLSearchParams({
          lng: position.coords.longitude.toFixed(6),
          lat: position.coords.latitude.toFixed(6),
        });
        window.location.search = query.toString();
      }, failed, { timeout: 10000, maximumAge: 60000 });
    });
  }
  const order = document.getElementById("order");
  if (order && order.dataset.state === "unpaid") {
    const poll = () => {
      fetch(order.dataset.stateUrl, { credentials: "same-origin" })
        .then((response) => response.json())
        .then((state) => {
          if (state.state !== "unpaid") window.location.reload();
          else window.setTimeout(poll, 3000);
        })
        .catch(() => window.setTimeout(poll, 10000));
    };
    window.setTimeout(poll, 3000);
  }
})();
