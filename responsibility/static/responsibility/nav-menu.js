// The header's menus (templates/base.html). On a phone the menu button shows and hides the whole menu under
// the bar; on a desktop 「更多」 and the user's menu open as lists under their buttons, one at a time.
// Escape, a click elsewhere or moving the focus away closes them. Without scripts, nav-noscript.css shows
// every entry instead.
(function () {
  "use strict";
  var header = document.querySelector("[data-site-header]");
  if (!header) { return; }
  var menuButton = header.querySelector("[data-menu-toggle]");
  var groups = Array.prototype.slice.call(header.querySelectorAll("[data-nav-group]"));

  function groupButton(group) { return group.querySelector(".nav-group-toggle"); }

  function setGroupOpen(group, open) {
    group.classList.toggle("open", open);
    groupButton(group).setAttribute("aria-expanded", String(open));
  }

  function setMenuOpen(open) {
    header.classList.toggle("menu-open", open);
    menuButton.setAttribute("aria-expanded", String(open));
  }

  groups.forEach(function (group) {
    groupButton(group).addEventListener("click", function () {
      var open = !group.classList.contains("open");
      groups.forEach(function (other) { if (other !== group) { setGroupOpen(other, false); } });
      setGroupOpen(group, open);
    });
    group.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !group.contains(event.relatedTarget)) { setGroupOpen(group, false); }
    });
  });

  if (menuButton) {
    menuButton.addEventListener("click", function () {
      setMenuOpen(!header.classList.contains("menu-open"));
    });
  }

  document.addEventListener("click", function (event) {
    groups.forEach(function (group) {
      if (!group.contains(event.target)) { setGroupOpen(group, false); }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = groups.filter(function (group) { return group.classList.contains("open"); })[0];
    if (open) {
      setGroupOpen(open, false);
      groupButton(open).focus();
    } else if (menuButton && header.classList.contains("menu-open")) {
      setMenuOpen(false);
      menuButton.focus();
    }
  });
})();
