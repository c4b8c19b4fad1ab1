// "Use my version" on a refused save: puts the person's own text back into the form field beside it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-use-mine]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-use-mine"));
  var source = document.getElementById(button.getAttribute("data-mine-text"));
  if (!field || !source) return;
  field.value = source.value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  field.dispatchEvent(new Event("change", { bubbles: true }));
  button.textContent = "Your version is in the form";
  field.focus();
});
