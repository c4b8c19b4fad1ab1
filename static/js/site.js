/* Small enhancements for every page; the site works without them. */
(function () {
  "use strict";

  // A wide table scrolls inside its own box. When it does, keyboard users need to
  // reach that box to scroll it, and screen readers need to know what it is.
  function labelScrollingTables() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table (scroll sideways to see all of it)");
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    }
  }

  var pending = null;
  function onResize() {
    if (pending) {
      window.cancelAnimationFrame(pending);
    }
    pending = window.requestAnimationFrame(labelScrollingTables);
  }

  labelScrollingTables();
  window.addEventListener("resize", onResize);
})();
