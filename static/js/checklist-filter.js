// Progressive enhancement of checkbox lists (the theory-of-change picker): a text filter that hides the
// options whose label does not contain what is typed. Without this script the whole list shows and works.
// Ticked options always stay visible, so a choice is never hidden from the person who made it.
(function () {
  "use strict";

  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(box) {
    if (box.dataset.enhanced) {
      return;
    }
    box.dataset.enhanced = "1";
    var list = document.getElementById(box.dataset.checklistFilter);
    var input = box.querySelector("input");
    var status = box.querySelector("[data-checklist-count]");
    if (!list || !input) {
      return;
    }
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    function apply() {
      var wanted = folded(input.value.trim());
      var shown = 0;
      items.forEach(function (item) {
        var ticked = item.querySelector("input").checked;
        var visible = !wanted || ticked || folded(item.textContent).indexOf(wanted) !== -1;
        item.hidden = !visible;
        shown += visible ? 1 : 0;
      });
      if (status) {
        status.textContent = wanted ? status.dataset.template.replace("{shown}", shown).replace("{total}", items.length) : "";
      }
    }
    input.addEventListener("input", apply);
    box.hidden = false;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-checklist-filter]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
