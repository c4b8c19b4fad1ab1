/* Print buttons and the "Printed on" date of printed briefings.
   Buttons marked data-print-button are rendered hidden, so they only appear when this script runs. */
(function () {
  "use strict";

  function today() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return {
      iso: now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()),
      text: now.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" })
    };
  }

  // The page may have been loaded days before it is printed: stamp the real print date.
  function stampPrintDate() {
    var date = today();
    document.querySelectorAll("time.print-date").forEach(function (el) {
      el.setAttribute("datetime", date.iso);
      el.textContent = date.text;
    });
  }

  // A link whose text already is its address needs no address printed after it.
  function markBareLinks() {
    var normalise = function (url) {
      return url.trim().replace(/^https?:\/\//i, "").replace(/^www\./i, "").replace(/\/+$/, "").toLowerCase();
    };
    document.querySelectorAll('a[href^="http"]').forEach(function (a) {
      if (normalise(a.textContent) === normalise(a.getAttribute("href"))) {
        a.classList.add("print-no-url");
      }
    });
  }

  function init() {
    document.querySelectorAll("[data-print-button]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        stampPrintDate();
        window.print();
      });
    });
    markBareLinks();
    window.addEventListener("beforeprint", stampPrintDate);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
