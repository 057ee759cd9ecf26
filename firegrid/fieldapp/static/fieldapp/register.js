/* Installs the service worker on every page (scope: the whole site), so the field app opens offline. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", {scope: "/"})["catch"](function () { /* optional */ });
  });
})();
