// A double click sends one request: a form's [data-submit-once] buttons are disabled once it is on its way.
// (The server refuses a repeated step anyway; this only spares the user the message.)
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("[data-submit-once]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
})();
