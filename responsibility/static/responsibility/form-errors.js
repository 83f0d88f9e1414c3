// A refused form opens at what is wrong: the page scrolls to the first error summary (or the first field
// marked with an error) and moves the focus there, so that a screen reader reads it out and nobody has
// to look for the message thousands of pixels below the top of a phone's screen.
(function () {
  "use strict";
  var target = document.querySelector("main [data-errors-focus], main .form-errors, main .has-error");
  if (!target) return;
  if (!target.hasAttribute("tabindex")) {
    var field = target.querySelector("input:not([type=hidden]), select, textarea");
    if (field) target = field;
    else target.setAttribute("tabindex", "-1");
  }
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
})();
