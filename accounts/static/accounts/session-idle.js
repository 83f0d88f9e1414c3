// The warning before an idle session ends (accounts/sessions.py). The server keeps the time of the last
// request; this script only asks how long is left (the status endpoint, which does not count as
// activity) and, two minutes before the end, shows a bar whose button POSTs to the keep-alive endpoint
// (which does count: the person chose it). When the time is up the page reloads, which leads to the
// login page with the server's message.
// Markup: templates/accounts/_idle_warning.html ([data-idle-warning] with its data-* settings).
(function () {
  "use strict";
  var banner = document.querySelector("[data-idle-warning]");
  if (!banner || !window.fetch) { return; }
  var statusUrl = banner.getAttribute("data-status-url");
  var limit = parseInt(banner.getAttribute("data-idle-seconds"), 10);
  var warnBefore = parseInt(banner.getAttribute("data-warning-seconds"), 10) || 120;
  var message = banner.querySelector("[data-idle-message]");
  var template = message.getAttribute("data-template");
  var form = banner.querySelector("form[data-idle-keepalive]");
  // While the bar shows, ask again this often: activity in another tab may have moved the end.
  var RECHECK_SECONDS = 20;
  // Timers longer than about 24 days fire at once; a long limit is checked again hourly instead.
  var LONGEST_WAIT_SECONDS = 3600;
  var deadline = 0;
  var timer = null;
  var ticker = null;

  if (!(limit > 0)) { return; }

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    message.textContent = template.replace("%(time)s", clock(left));
  }

  function show() {
    if (banner.hidden) {
      banner.hidden = false;
      tick();
      ticker = window.setInterval(tick, 1000);
    }
  }

  function hide() {
    banner.hidden = true;
    window.clearInterval(ticker);
    ticker = null;
  }

  function schedule(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    window.clearTimeout(timer);
    if (secondsLeft > warnBefore) {
      hide();
      timer = window.setTimeout(check, Math.min(secondsLeft - warnBefore, LONGEST_WAIT_SECONDS) * 1000);
    } else {
      show();
      timer = window.setTimeout(check, (Math.min(secondsLeft, RECHECK_SECONDS) + 1) * 1000);
    }
  }

  function answer(response) {
    return response.json().then(function (data) {
      if (!response.ok || data.expired) {
        window.location.reload();
        return;
      }
      schedule(data.seconds_left);
    });
  }

  function retryLater() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, RECHECK_SECONDS * 1000);
  }

  function check() {
    fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(answer)
      .catch(retryLater);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(answer)
      .catch(retryLater);
  });

  // A page brought back by the Back button may be older than the session's last activity.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { check(); }
  });

  schedule(limit);
})();
