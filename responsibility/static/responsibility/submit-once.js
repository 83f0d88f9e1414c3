// A double click sends one request: a form's [data-submit-once] buttons are disabled once it is on its way.
// (The server refuses a repeated step anyway; this only spares the user the message.)
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      // Later: the button's name and value must still be sent, and a later listener may cancel the
      // submit (a confirmation declined, confirm.js), which leaves the buttons usable.
      window.setTimeout(function () {
        if (event.defaultPrevented) return;
        form.querySelectorAll("[data-submit-once]").forEach(function (button) {
          button.disabled = true;
        });
      }, 0);
    });
  });
})();
