// Every page of the three sites: the navigation folds behind a button on a phone.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // A table wider than the screen scrolls sideways: it must take the focus, so that a keyboard
  // can scroll it too.
  function scrollables() {
    var boxes = document.querySelectorAll("table.list, .scroll, pre");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
      } else if (box.getAttribute("tabindex") === "0" && box.dataset.scrollable !== "keep") {
        box.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", scrollables);
  window.addEventListener("resize", scrollables);
  document.addEventListener("htmx:afterSwap", scrollables);
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".nav-toggle");
    if (!toggle) { return; }
    var bar = toggle.closest(".topbar");
    var open = bar.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
