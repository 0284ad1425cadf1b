// Kyoka admin: ask before a decision is sent (forms carrying data-confirm). No inline script: the CSP forbids it.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
