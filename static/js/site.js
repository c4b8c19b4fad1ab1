/* The portal's one script file (one request): quick exit, small page enhancements, printing.
   Every part is an enhancement: the site works without JavaScript. */

/* Quick exit ("Exit this page"), after the GOV.UK Design System component.
 *
 * - The button is a plain link to a neutral site, so it works without JavaScript.
 * - With JavaScript, the page is blanked at once and replaced in history
 *   (location.replace), so Back does not come back to this page.
 * - Pressing Shift three times within five seconds does the same. A Shift used
 *   with another key (Shift+A, Ctrl+Shift) does not count. Screen readers hear how
 *   many presses remain.
 */
(function () {
  "use strict";

  var PRESSES_NEEDED = 3;
  var WINDOW_MS = 5000;
  var NEUTRAL_TITLE = "Loading";

  var button = document.getElementById("exit-this-page");
  if (!button || !window.location.replace) {
    return;
  }
  var status = document.getElementById("exit-this-page-status");
  var indicator = button.querySelector(".exit-indicator");
  var exitUrl = button.getAttribute("data-exit-url") || button.getAttribute("href");

  var presses = 0;
  var timer = null;
  var shiftCombined = false;
  var exiting = false;

  function announce(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function showPresses(count) {
    if (!indicator) {
      return;
    }
    indicator.classList.toggle("is-visible", count > 0);
    var dots = indicator.children;
    for (var i = 0; i < dots.length; i++) {
      dots[i].classList.toggle("is-lit", i < count);
    }
  }

  function blank() {
    var html = document.documentElement;
    html.classList.add("exit-in-progress");
    document.title = NEUTRAL_TITLE;
    if (!document.querySelector(".exit-overlay")) {
      var overlay = document.createElement("div");
      overlay.className = "exit-overlay";
      document.body.appendChild(overlay);
    }
  }

  function exitPage(event) {
    if (event) {
      event.preventDefault();
    }
    exiting = true;
    reset();
    announce("Exit this page activated.");
    blank();
    window.location.replace(exitUrl);
  }

  function reset() {
    presses = 0;
    showPresses(0);
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
  }

  function expire() {
    reset();
    announce("Exit this page expired.");
  }

  function countShift() {
    presses += 1;
    showPresses(presses);
    if (presses >= PRESSES_NEEDED) {
      exitPage();
      return;
    }
    var remaining = PRESSES_NEEDED - presses;
    announce("Shift, press " + remaining + " more " + (remaining === 1 ? "time" : "times") + " to exit.");
    if (presses === 1) {
      timer = window.setTimeout(expire, WINDOW_MS);
    }
  }

  function isShift(event) {
    return event.key === "Shift" || event.keyCode === 16;
  }

  document.addEventListener("keydown", function (event) {
    if (isShift(event)) {
      if (!event.repeat) {
        shiftCombined = event.ctrlKey || event.altKey || event.metaKey;
      }
      return;
    }
    // Any other key: Shift is being used as a modifier, or the reader is typing.
    if (event.shiftKey) {
      shiftCombined = true;
    }
    if (presses > 0) {
      reset();
      announce("");
    }
  }, true);

  document.addEventListener("keyup", function (event) {
    if (!isShift(event) || exiting) {
      return;
    }
    if (shiftCombined) {
      shiftCombined = false;
      return;
    }
    countShift();
  }, true);

  button.addEventListener("click", exitPage);

  // "Skip to exit this page" moves focus without adding a #fragment entry to the history,
  // which would otherwise let Back return to this page after the exit replaced it.
  var skipLinks = document.querySelectorAll('a[href="#exit-this-page"]');
  for (var i = 0; i < skipLinks.length; i++) {
    skipLinks[i].addEventListener("click", function (event) {
      event.preventDefault();
      button.focus();
    });
  }

  // Coming back from the back-forward cache: stay blank and leave again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && exiting) {
      blank();
      window.location.replace(exitUrl);
    }
  });
})();

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

  function init() {
    document.querySelectorAll("[data-print-button]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        stampPrintDate();
        window.print();
      });
    });
    window.addEventListener("beforeprint", stampPrintDate);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* "Copy link" on pages worth sharing. The button is rendered hidden and shown only where the
   clipboard can be written; "Email to a colleague" beside it is a plain mailto: link. */
(function () {
  "use strict";

  function init() {
    if (!navigator.clipboard || !window.isSecureContext) {
      return;
    }
    document.querySelectorAll("[data-copy-link]").forEach(function (button) {
      var status = button.closest(".share") && button.closest(".share").querySelector("[data-copy-status]");
      var say = function (text) {
        if (status) {
          status.textContent = text;
        }
      };
      button.hidden = false;
      button.addEventListener("click", function () {
        say("");
        navigator.clipboard.writeText(button.getAttribute("data-copy-link")).then(
          function () { say("Link copied. You can paste it into an email or message."); },
          function () { say("The link could not be copied. Copy it from the address bar instead."); }
        );
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
