/* Admin only: give inline rows added with "Add another" the Markdown editor and live preview.
   markdownx initialises editors once, on page load; a new row is a copy of an already-initialised
   template, so clear its marker and run markdownx again (it skips editors it has already set up). */
(function () {
  "use strict";
  document.addEventListener("formset:added", function (event) {
    var editors = event.target.querySelectorAll(".markdownx-editor[data-markdownx-init]");
    if (!editors.length) { return; }
    editors.forEach(function (editor) { editor.removeAttribute("data-markdownx-init"); });
    var original = document.querySelector('script[src*="markdownx/js/markdownx"]');
    if (!original) { return; }
    var again = document.createElement("script");
    again.src = original.src;
    document.body.appendChild(again);
  });
})();
