/* Presenter mode (/briefings/<slug>/present/): one panel a screen for a team meeting's shared screen.
 *
 * Without this script the page is the panels one after another. With it: one panel at a time in
 * large type, keys a presentation clicker sends (arrows, Page Up/Down, Space, Home, End), a timer,
 * full screen on request, and Escape back to the briefing. Nothing is fetched: once loaded it runs
 * offline. Sizes are set through the CSSOM (element.style), which the site's CSP allows.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-presenter]");
  if (!root) {
    return;
  }
  var panels = Array.prototype.slice.call(root.querySelectorAll("[data-present-panel]"));
  var controls = root.querySelector("[data-presenter-controls]");
  var progress = root.querySelector("[data-presenter-progress]");
  var timeText = root.querySelector("[data-presenter-time]");
  var pauseButton = root.querySelector("[data-presenter-pause]");
  var fullButton = root.querySelector("[data-presenter-fullscreen]");
  var backUrl = root.getAttribute("data-back-url");
  var target = parseInt(root.getAttribute("data-target-seconds"), 10) || 0;

  // Type is shrunk to fit a long panel, but never below this (readable from the back of a room);
  // a panel still too long at full size is shown as pages instead.
  var MIN_TEXT_PX = 28;
  var MIN_FIT = 0.75;

  var current = 0;
  var page = 0;
  var pages = 1;

  function content(panel) {
    return panel.querySelector(".present-panel__content");
  }

  function overflows(box) {
    return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
  }

  function gap(box) {
    return parseFloat(window.getComputedStyle(box).columnGap) || 0;
  }

  // One page's step sideways: the column's exact width (clientWidth is rounded, and the error
  // would add up page after page) and the gap.
  function pitch(box) {
    return box.getBoundingClientRect().width + gap(box);
  }

  /* Fit the shown panel: full size if it fits; else the largest smaller size that fits (not below
     MIN_TEXT_PX nor MIN_FIT); else full size laid out in columns one screen wide, shown one at a time. */
  function fit(panel) {
    var box = content(panel);
    box.classList.remove("is-paged");
    box.style.removeProperty("--fit");
    box.scrollLeft = 0;
    pages = 1;
    if (!overflows(box)) {
      return;
    }
    var base = parseFloat(window.getComputedStyle(box).fontSize);
    var low = Math.max(MIN_FIT, Math.min(1, MIN_TEXT_PX / base));
    box.style.setProperty("--fit", String(low));
    if (!overflows(box)) {
      var high = 1;
      for (var i = 0; i < 7; i++) {
        var mid = (low + high) / 2;
        box.style.setProperty("--fit", String(mid));
        if (overflows(box)) {
          high = mid;
        } else {
          low = mid;
        }
      }
      box.style.setProperty("--fit", String(low));
      return;
    }
    box.style.removeProperty("--fit");
    box.classList.add("is-paged");
    pages = Math.max(1, Math.round((box.scrollWidth + gap(box)) / pitch(box)));
  }

  function showPage() {
    var box = content(panels[current]);
    box.scrollLeft = page * pitch(box);
  }

  function describe() {
    var text = current + 1 + " of " + panels.length;
    if (pages > 1) {
      text += " (page " + (page + 1) + " of " + pages + ")";
    }
    progress.textContent = text;
  }

  function show(index, atEnd) {
    current = Math.max(0, Math.min(panels.length - 1, index));
    panels.forEach(function (panel, i) {
      panel.hidden = i !== current;
    });
    fit(panels[current]);
    page = atEnd ? pages - 1 : 0;
    showPage();
    describe();
  }

  function next() {
    if (page < pages - 1) {
      page += 1;
      showPage();
      describe();
    } else if (current < panels.length - 1) {
      show(current + 1, false);
    }
  }

  function previous() {
    if (page > 0) {
      page -= 1;
      showPage();
      describe();
    } else if (current > 0) {
      show(current - 1, true);
    }
  }

  /* The timer: elapsed time from the clock (not a count of ticks, which a busy machine delays). */
  var startedAt = Date.now();
  var pausedAt = null;

  function elapsedSeconds() {
    var now = pausedAt === null ? Date.now() : pausedAt;
    return Math.max(0, Math.floor((now - startedAt) / 1000));
  }

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    var seconds = elapsedSeconds();
    var text = clock(seconds);
    if (target) {
      text += " of " + clock(target);
      timeText.parentNode.classList.toggle("is-over", seconds > target);
    }
    if (timeText.textContent !== text) {
      timeText.textContent = text;
    }
  }

  function togglePause() {
    if (pausedAt === null) {
      pausedAt = Date.now();
    } else {
      startedAt += Date.now() - pausedAt;
      pausedAt = null;
    }
    var paused = pausedAt !== null;
    pauseButton.setAttribute("aria-pressed", paused ? "true" : "false");
    pauseButton.firstChild.textContent = paused ? "Resume" : "Pause";
    tick();
  }

  function resetTimer() {
    startedAt = Date.now();
    if (pausedAt !== null) {
      pausedAt = startedAt;
    }
    tick();
  }

  /* Full screen. In full screen the browser keeps Escape for itself: the first press leaves full
     screen, the next one leaves presenter mode. */

  function toggleFullScreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else {
      document.documentElement.requestFullscreen().catch(function () {
        fullButton.hidden = true;
      });
    }
  }

  document.addEventListener("fullscreenchange", function () {
    var full = Boolean(document.fullscreenElement);
    fullButton.setAttribute("aria-pressed", full ? "true" : "false");
    fullButton.textContent = full ? "Leave full screen" : "Full screen";
    show(current, false);
  });

  function isControl(element) {
    return element && element.closest && element.closest("button, input, select, textarea, summary, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    // Modifier combinations belong to the browser; Shift alone is the quick exit's (static/js/site.js).
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) {
      return;
    }
    var key = event.key;
    if (key === " " || key === "Spacebar") {
      // On a button, Space presses it; elsewhere it moves on (Shift+Space goes back).
      if (isControl(event.target)) {
        return;
      }
      if (event.shiftKey) {
        previous();
      } else {
        next();
      }
    } else if (event.shiftKey) {
      return;
    } else if (key === "ArrowRight" || key === "ArrowDown" || key === "PageDown") {
      next();
    } else if (key === "ArrowLeft" || key === "ArrowUp" || key === "PageUp") {
      previous();
    } else if (key === "Home") {
      show(0, false);
    } else if (key === "End") {
      show(panels.length - 1, false);
    } else if (key === "Escape" || key === "Esc") {
      // Should a browser pass on the Escape that leaves full screen, that one is not also a way out.
      if (document.fullscreenElement) {
        return;
      }
      window.location.href = backUrl;
    } else {
      return;
    }
    event.preventDefault();
  });

  root.querySelector("[data-presenter-next]").addEventListener("click", next);
  root.querySelector("[data-presenter-prev]").addEventListener("click", previous);
  pauseButton.addEventListener("click", togglePause);
  root.querySelector("[data-presenter-reset]").addEventListener("click", resetTimer);
  if (document.fullscreenEnabled && document.documentElement.requestFullscreen) {
    fullButton.hidden = false;
    fullButton.addEventListener("click", toggleFullScreen);
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    if (resizing) {
      window.cancelAnimationFrame(resizing);
    }
    resizing = window.requestAnimationFrame(function () {
      var keep = page;
      show(current, false);
      page = Math.min(keep, pages - 1);
      showPage();
      describe();
    });
  });

  document.body.classList.add("is-presenting");
  controls.hidden = false;
  var hint = root.querySelector("[data-presenter-hint]");
  if (hint) {
    hint.hidden = false;
  }
  show(0, false);
  tick();
  window.setInterval(tick, 250);
})();
