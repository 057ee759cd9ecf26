/* firegrid: small page behaviours declared in the markup, so that no template needs an inline script
   or event handler (the Content-Security-Policy allows scripts from this site only).

   <select data-autosubmit>                   submits its form when changed
   <form data-confirm="question">             asks before submitting
   <button data-geolocate data-lat="id_lat" data-lng="id_lng"
           data-status="status-id" data-finding="…" data-unavailable="…" data-notify>
                                              fills the two fields with the device's position (shown
                                              only where the browser can locate; data-notify sends a
                                              change event from the longitude field afterwards)
   <form data-geolocate-auto data-lat="id" data-lng="id">
                                              fills them once when the page opens, silently
   <span data-pct="42">                       a bar's width in per cent (set through the CSSOM)
*/
(function () {
  "use strict";

  function byId(id) { return id ? document.getElementById(id) : null; }

  function locate(options, done, failed) {
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = byId(options.lat), lng = byId(options.lng);
      if (lat) lat.value = position.coords.latitude.toFixed(6);
      if (lng) lng.value = position.coords.longitude.toFixed(6);
      if (done) done(lng);
    }, function () { if (failed) failed(); }, {
      enableHighAccuracy: true,
      timeout: 15000,
      maximumAge: options.maximumAge || 0
    });
  }

  function setUpGeolocate(button) {
    if (!navigator.geolocation) return;
    var status = byId(button.dataset.status);
    button.hidden = false;
    button.addEventListener("click", function () {
      button.setAttribute("aria-busy", "true");
      if (status) status.textContent = button.dataset.finding || "";
      locate(button.dataset, function (lng) {
        button.removeAttribute("aria-busy");
        if (status) status.textContent = "";
        if (lng && button.hasAttribute("data-notify")) lng.dispatchEvent(new Event("change", {bubbles: true}));
      }, function () {
        button.removeAttribute("aria-busy");
        if (status) status.textContent = button.dataset.unavailable || "";
      });
    });
  }

  function setBars(root) {
    root.querySelectorAll("[data-pct]").forEach(function (bar) {
      var pct = parseFloat(bar.dataset.pct);
      if (isNaN(pct)) pct = 0;
      bar.style.width = Math.max(0, Math.min(100, pct)) + "%";
    });
  }

  function init() {
    document.querySelectorAll("[data-geolocate]").forEach(setUpGeolocate);
    if (navigator.geolocation) {
      document.querySelectorAll("[data-geolocate-auto]").forEach(function (form) {
        locate({lat: form.dataset.lat, lng: form.dataset.lng, maximumAge: 60000});
      });
    }
    setBars(document);
  }

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.submit();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.dataset ? form.dataset.confirm : null;
    if (question && !window.confirm(question)) event.preventDefault();
  });
  // bars in content that htmx swaps in later
  document.addEventListener("htmx:afterSettle", function (event) { setBars(event.target); });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
