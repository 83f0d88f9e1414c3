// Signature pad: draw with mouse, pen or finger (Pointer Events); the drawing travels as a PNG data URL.
// Also: switch between drawn and typed signatures.
(function () {
  "use strict";

  function setUpPad(form) {
    var canvas = form.querySelector("[data-signature-pad]");
    var input = form.querySelector("input[name=drawing]");
    if (!canvas || !input) return;
    var context = canvas.getContext("2d");
    var drawing = false;
    var hasInk = false;
    var last = null;

    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var rect = canvas.getBoundingClientRect();
      canvas.width = Math.round(rect.width * ratio);
      canvas.height = Math.round(rect.height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.6;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      hasInk = false;
      input.value = "";
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      context.beginPath();
      context.arc(last.x, last.y, 1.2, 0, 2 * Math.PI);
      context.fillStyle = "#111";
      context.fill();
      hasInk = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var next = point(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () {
        if (drawing && hasInk) input.value = canvas.toDataURL("image/png");
        drawing = false;
      });
    });
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) clear.addEventListener("click", resize);
    window.addEventListener("resize", function () { if (!hasInk) resize(); });
    resize();
  }

  function setUpMethod(form) {
    var radios = form.querySelectorAll("input[name=method]");
    function show() {
      var chosen = form.querySelector("input[name=method]:checked");
      var value = chosen ? chosen.value : "drawn";
      form.querySelectorAll("[data-method-panel]").forEach(function (panel) {
        panel.hidden = panel.getAttribute("data-method-panel") !== value;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  }

  document.querySelectorAll("[data-signature-form]").forEach(function (form) {
    setUpPad(form);
    setUpMethod(form);
  });

})();

// "All" checkbox on the batch countersignature page.
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (toggle) {
    toggle.addEventListener("change", function () {
      toggle.closest("form").querySelectorAll("input[name=letters]").forEach(function (box) {
        box.checked = toggle.checked;
      });
    });
  });
})();
