// Lớp Số: small enhancements only; every page works without this file.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // Every htmx request carries the CSRF token, like the forms do.
  document.addEventListener("htmx:configRequest", function (event) {
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.getAttribute("content"); }
  });
})();
