/* Kyoka: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // htmx is loaded: the live regime preview replaces the "Show regime" button.
  if (window.htmx) {
    document.documentElement.classList.add("js");
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      document.documentElement.classList.add("js");
    }

    // After a failed submission, take keyboard and screen-reader users to the error summary.
    var summary = document.getElementById("form-errors");
    if (summary) {
      summary.focus();
    }

    // The certificate's Print button (no inline handlers: the CSP forbids them).
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });
})();
