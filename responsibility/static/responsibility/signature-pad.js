// The signing form: a drawn signature on signature_pad (vendored, loaded before this script), the choice
// between drawing and typing, the steps 阅读 → 签名 → 确认, and the batch page's "All" box.
//
// The drawing travels as a PNG data URL in the hidden "drawing" field and survives what used to lose it:
// - a hidden pad (the typed tab) is never resized to nothing: the pad is sized when it is shown again;
// - a resize (a phone keyboard, a rotation) or a new pixel ratio redraws the drawing, scaled to fit;
// - a refused form comes back with the drawing it posted, drawn again;
// - a canvas the browser dropped in a background tab is drawn again from the field.
(function () {
  "use strict";

  var MAX_SIDE = 2000; // responsibility.letters.signing.MAX_DRAWING_SIDE, in canvas pixels

  function setUpPad(form) {
    var canvas = form.querySelector("[data-signature-pad]");
    var input = form.querySelector("input[name=drawing]");
    if (!canvas || !input || typeof window.SignaturePad !== "function") return;
    var pad = new window.SignaturePad(canvas, {
      penColor: "#111",
      minWidth: 1,
      maxWidth: 3,
      backgroundColor: "rgba(0,0,0,0)",
    });
    var shown = { width: 0, height: 0, ratio: 0 }; // the size the canvas was last laid out at
    var hasInk = false;
    // The drawing as it was last drawn, and the pad's size then: every new size redraws it from this
    // copy (scaled down to fit, never up), so that turning the phone and back gives the same drawing.
    var kept = null;

    function store() {
      input.value = hasInk ? canvas.toDataURL("image/png") : "";
      form.dispatchEvent(new CustomEvent("signature-change"));
    }

    function keep() {
      var copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      copy.getContext("2d").drawImage(canvas, 0, 0);
      kept = { canvas: copy, width: shown.width, height: shown.height };
    }

    function drawImage(source, width, height) {
      // Scaled down to fit the pad, keeping its proportions.
      var scale = Math.min(shown.width / width, shown.height / height, 1);
      canvas.getContext("2d").drawImage(source, 0, 0, width * scale, height * scale);
    }

    function layout() {
      var rect = canvas.getBoundingClientRect();
      if (rect.width < 1 || rect.height < 1) return; // hidden: keep everything as it is
      var ratio = Math.min(Math.max(window.devicePixelRatio || 1, 1), MAX_SIDE / rect.width, MAX_SIDE / rect.height);
      if (rect.width === shown.width && rect.height === shown.height && ratio === shown.ratio) return;
      canvas.width = Math.round(rect.width * ratio);
      canvas.height = Math.round(rect.height * ratio);
      canvas.getContext("2d").scale(ratio, ratio);
      shown = { width: rect.width, height: rect.height, ratio: ratio };
      pad.clear();
      if (hasInk && kept) {
        drawImage(kept.canvas, kept.width, kept.height);
        store();
      }
    }

    function restore(dataUrl) {
      // A drawing from the field (a refused form, a dropped canvas) drawn again on the pad.
      var image = new Image();
      image.onload = function () {
        layout();
        pad.clear();
        hasInk = true;
        drawImage(image, image.naturalWidth / (shown.ratio || 1), image.naturalHeight / (shown.ratio || 1));
        keep();
        store();
      };
      image.onerror = function () {
        hasInk = false;
        store();
      };
      image.src = dataUrl;
    }

    pad.addEventListener("endStroke", function () {
      hasInk = true;
      keep();
      store();
    });
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        pad.clear();
        hasInk = false;
        kept = null;
        store();
      });
    }
    if (window.ResizeObserver) {
      new ResizeObserver(layout).observe(canvas);
    }
    window.addEventListener("resize", layout);
    window.addEventListener("orientationchange", layout);
    form.addEventListener("signature-panel-shown", layout);
    canvas.addEventListener("contextrestored", function () {
      if (input.value) restore(input.value);
    });
    layout();
    if (input.value.indexOf("data:image/png;base64,") === 0) restore(input.value);
  }

  function setUpMethod(form) {
    var radios = form.querySelectorAll("input[name=method]");
    function show() {
      var chosen = form.querySelector("input[name=method]:checked");
      var value = chosen ? chosen.value : "drawn";
      form.querySelectorAll("[data-method-panel]").forEach(function (panel) {
        panel.hidden = panel.getAttribute("data-method-panel") !== value;
      });
      form.dispatchEvent(new CustomEvent("signature-panel-shown"));
      form.dispatchEvent(new CustomEvent("signature-change"));
    }
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  }

  // 阅读 → 签名 → 确认: the step the signer is at, from where they are and what they have filled in.
  function setUpSteps(form) {
    var steps = document.querySelector("[data-sign-steps]");
    if (!steps || !window.IntersectionObserver) return;
    var reached = false;
    function mark(current) {
      var order = ["read", "sign", "confirm"];
      var index = order.indexOf(current);
      steps.querySelectorAll("[data-step]").forEach(function (item) {
        var position = order.indexOf(item.getAttribute("data-step"));
        item.classList.toggle("done", position < index);
        if (position === index) item.setAttribute("aria-current", "step");
        else item.removeAttribute("aria-current");
      });
    }
    function update() {
      if (!reached) return;
      var method = form.querySelector("input[name=method]:checked");
      var typed = form.querySelector("input[name=typed_name]");
      var drawing = form.querySelector("input[name=drawing]");
      var signed = method && method.value === "typed" ? typed && typed.value.trim() : drawing && drawing.value;
      mark(signed ? "confirm" : "sign");
    }
    new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && !reached) {
          reached = true;
          update();
        }
      });
    }).observe(form);
    form.addEventListener("signature-change", update);
    form.addEventListener("input", update);
  }

  document.querySelectorAll("[data-signature-form]").forEach(function (form) {
    setUpPad(form);
    setUpMethod(form);
    setUpSteps(form);
  });
})();

// "All" box on the batch countersignature page.
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
