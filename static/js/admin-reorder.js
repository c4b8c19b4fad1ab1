/* Admin only: reorder a stacked inline's rows (a briefing's sections) with Move up / Move down buttons,
   which work from the keyboard, or by dragging the handle. The rows' "Order" boxes (input[data-order])
   are rewritten 1, 2, 3... in the new order; the server saves by those numbers, so without this script
   staff type the order instead. */
(function () {
  "use strict";

  function rows(group) {
    return Array.prototype.filter.call(group.querySelectorAll(".inline-related"), function (row) {
      return !row.classList.contains("empty-form") && row.querySelector("input[data-order]");
    });
  }

  function hasContent(row) {
    var heading = row.querySelector("input[name$='-heading']");
    var order = row.querySelector("input[data-order]");
    return row.classList.contains("has_original") || order.value.trim() !== "" ||
      (heading !== null && heading.value.trim() !== "");
  }

  function headingOf(row) {
    var heading = row.querySelector("input[name$='-heading']");
    return heading && heading.value.trim() ? "“" + heading.value.trim() + "”" : "This section";
  }

  function renumber(group) {
    var number = 0;
    rows(group).forEach(function (row) {
      // A blank row stays blank (an empty order would make it count as filled in).
      if (hasContent(row)) {
        number += 1;
        row.querySelector("input[data-order]").value = number;
      }
    });
  }

  function announce(group, row) {
    var all = rows(group);
    var status = group.querySelector(".reorder-status");
    status.textContent = headingOf(row) + " is now " + (all.indexOf(row) + 1) + " of " + all.length + ".";
  }

  function move(group, row, step, focus) {
    var all = rows(group);
    var index = all.indexOf(row);
    var other = all[index + step];
    if (!other) {
      group.querySelector(".reorder-status").textContent = headingOf(row) + " is already " +
        (step < 0 ? "first." : "last.");
      return;
    }
    if (step < 0) {
      other.parentNode.insertBefore(row, other);
    } else {
      other.parentNode.insertBefore(other, row);
    }
    renumber(group);
    announce(group, row);
    if (focus) { focus.focus(); }
  }

  function button(text, label) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button reorder-button";
    element.textContent = text;
    element.setAttribute("aria-label", label);
    return element;
  }

  var dragged = null;

  function addControls(group, row) {
    if (row.querySelector(".reorder-controls")) { return; }
    var controls = document.createElement("div");
    controls.className = "reorder-controls";
    var handle = document.createElement("span");
    handle.className = "reorder-handle";
    handle.textContent = "⠿ Drag to move";
    handle.setAttribute("draggable", "true");
    handle.setAttribute("aria-hidden", "true");
    var up = button("↑ Move up", "Move up");
    var down = button("↓ Move down", "Move down");
    up.addEventListener("click", function () { move(group, row, -1, up); });
    down.addEventListener("click", function () { move(group, row, 1, down); });
    handle.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("reorder-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    handle.addEventListener("dragend", function () {
      row.classList.remove("reorder-dragging");
      dragged = null;
    });
    row.addEventListener("dragover", function (event) {
      if (dragged && dragged !== row && rows(group).indexOf(dragged) !== -1) { event.preventDefault(); }
    });
    row.addEventListener("drop", function (event) {
      if (!dragged || dragged === row) { return; }
      event.preventDefault();
      var box = row.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
      renumber(group);
      announce(group, dragged);
    });
    controls.appendChild(handle);
    controls.appendChild(up);
    controls.appendChild(down);
    var title = row.querySelector("h3");
    row.insertBefore(controls, title ? title.nextSibling : row.firstChild);
  }

  function setUp(group) {
    if (!group.querySelector(".reorder-status")) {
      var status = document.createElement("p");
      status.className = "reorder-status";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      group.appendChild(status);
    }
    rows(group).forEach(function (row) { addControls(group, row); });
  }

  function groups() {
    return Array.prototype.filter.call(document.querySelectorAll(".inline-group"), function (group) {
      return group.querySelector("input[data-order]");
    });
  }

  document.addEventListener("DOMContentLoaded", function () { groups().forEach(setUp); });
  document.addEventListener("formset:added", function () { groups().forEach(setUp); });
})();
