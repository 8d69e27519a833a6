// Labelling queue by keyboard: 1, 2, 3... pick a label for the item in focus; j / k (or arrows) move between
// items. Every button also works by Tab and Enter, and without JavaScript. No framework, no external script.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".label-item"));
  if (!items.length) { return; }

  function current() {
    var el = document.activeElement;
    while (el && !(el.classList && el.classList.contains("label-item"))) { el = el.parentElement; }
    return el;
  }

  function move(step) {
    var at = items.indexOf(current());
    var next = items[Math.min(items.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") { return; }
    if (event.key === "j" || event.key === "ArrowDown") { event.preventDefault(); move(1); return; }
    if (event.key === "k" || event.key === "ArrowUp") { event.preventDefault(); move(-1); return; }
    var item = current();
    if (!item || !/^[1-9]$/.test(event.key)) { return; }
    var button = item.querySelector("button[data-key='" + event.key + "']");
    if (button) { event.preventDefault(); button.click(); }
  });

  // The most uncertain item starts in focus, without scrolling the page past its heading.
  if (!current()) { items[0].focus({ preventScroll: true }); }
})();
