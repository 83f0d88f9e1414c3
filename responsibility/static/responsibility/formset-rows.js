// "Add a row" for a Django formset: copy the empty form from its <template>, numbered, and count it in
// TOTAL_FORMS. Markup, for a formset with prefix P: <button data-formset-add="P">, the rows in
// <div data-formset-rows="P">, the empty form in <template data-formset-empty="P">.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var rows = document.querySelector('[data-formset-rows="' + prefix + '"]');
    var empty = document.querySelector('[data-formset-empty="' + prefix + '"]');
    if (!total || !rows || !empty) return;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      rows.insertAdjacentHTML("beforeend", empty.innerHTML.replace(/__prefix__/g, index));
      total.value = index + 1;
    });
  });
})();
