// While something is being prepared on the server (a letter's PDF, a batch print), ask a small JSON
// endpoint every few seconds; update the progress bar and the status badge, and reload the page once the
// work is done. Markup: <el data-poll-url="…" data-poll-while="pending,running"> with optional
// [data-progress-bar] (a .progress element) and [data-progress-label] inside it, and data-poll-badge="id"
// naming a badge elsewhere on the page, whose text and data-status follow the answer's status: the badge
// never says 「等待中」 beside a bar that is moving.
(function () {
  "use strict";
  var INTERVAL = 3000;
  document.querySelectorAll("[data-poll-url]").forEach(function (element) {
    var url = element.getAttribute("data-poll-url");
    var waiting = (element.getAttribute("data-poll-while") || "pending").split(",");
    var bar = element.querySelector("[data-progress-bar]");
    var label = element.querySelector("[data-progress-label]");
    var badgeId = element.getAttribute("data-poll-badge");
    var badge = badgeId ? document.getElementById(badgeId) : null;
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          if (bar && typeof data.percent === "number") {
            bar.setAttribute("aria-valuenow", String(data.percent));
            // The fill is an SVG rectangle (includes/_progress_fill.html): its width is an attribute.
            var fill = bar.querySelector(".progress-fill rect");
            if (fill) { fill.setAttribute("width", data.percent + "%"); }
          }
          if (label && typeof data.done === "number") {
            label.textContent = data.done + " / " + data.total;
          }
          if (badge && data.status && data.status_label) {
            badge.setAttribute("data-status", data.status);
            badge.textContent = data.status_label;
          }
          if (waiting.indexOf(data.status) === -1) {
            window.location.reload();
            return;
          }
          window.setTimeout(tick, INTERVAL);
        })
        .catch(function () { window.setTimeout(tick, INTERVAL * 3); });
    }
    window.setTimeout(tick, INTERVAL);
  });
})();
