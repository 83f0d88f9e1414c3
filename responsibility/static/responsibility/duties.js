// The task form: show "times a year" only for N times a year, and the due date only for a task done once.
(function () {
  "use strict";
  document.querySelectorAll("[data-recurrence-form]").forEach(function (form) {
    var radios = form.querySelectorAll("input[name=recurrence]");
    var parts = form.querySelectorAll("[data-show-for]");
    function sync() {
      var checked = form.querySelector("input[name=recurrence]:checked");
      var value = checked ? checked.value : "";
      parts.forEach(function (part) {
        // A field with an error stays visible, whatever is chosen, so the message is seen.
        part.hidden = part.getAttribute("data-show-for") !== value && !part.querySelector(".has-error");
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  });
})();
