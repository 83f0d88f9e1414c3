// A form with data-confirm="question" asks first; Cancel sends nothing (and submit-once.js then leaves
// its buttons enabled). With data-confirm-when="selector" it asks only when the form holds a match, e.g.
// a ticked 「删除」 box. Loaded once by templates/base.html; a second copy of this script asks nothing more.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    if (form.confirmAsked) { return; }
    form.confirmAsked = true;
    form.addEventListener("submit", function (event) {
      var when = form.getAttribute("data-confirm-when");
      if (when && !form.querySelector(when)) { return; }
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
})();
