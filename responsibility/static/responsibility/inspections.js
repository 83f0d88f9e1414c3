// Supervision pages: "select all of this kind" for the scope checkboxes, the count of what is selected
// (one request per submit comes from submit-once.js, which every page loads).
(function () {
  "use strict";

  function boxesOf(element) {
    return Array.prototype.slice.call(
      element.querySelectorAll("input[type=checkbox]:not([data-select-all])")
    );
  }

  document.querySelectorAll("[data-choice-group]").forEach(function (group) {
    var all = group.querySelector("[data-select-all]");
    var boxes = boxesOf(group);
    if (!all || !boxes.length) {
      return;
    }
    all.closest("label").hidden = false;
    function sync() {
      var checked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    all.addEventListener("change", function () {
      var on = all.checked;  // read once: each box's change event below runs sync()
      boxes.forEach(function (box) {
        box.checked = on;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      });
      sync();
    });
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  });

  document.querySelectorAll("[data-count-selected]").forEach(function (fieldset) {
    var shown = fieldset.querySelector("[data-selected]");
    var count = fieldset.querySelector("[data-selected-count]");
    if (!shown || !count) {
      return;
    }
    function update() {
      count.textContent = boxesOf(fieldset).filter(function (box) { return box.checked; }).length;
    }
    shown.hidden = false;
    fieldset.addEventListener("change", update);
    update();
  });

})();
