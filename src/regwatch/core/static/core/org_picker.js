// The organisation picker's filter box: hides options (and empty region groups) that do not match what is typed.
(function () {
  if (window.regwatchOrgPicker) { return; }  // the partial may be included more than once on a page
  window.regwatchOrgPicker = true;
  function filter(box) {
    var select = document.getElementById(box.dataset.for);
    if (!select) { return; }
    var words = box.value.trim().toLowerCase();
    var rows = 0;
    select.querySelectorAll("optgroup").forEach(function (group) {
      var shown = 0;
      var groupHit = group.label.toLowerCase().indexOf(words) >= 0;
      group.querySelectorAll("option").forEach(function (opt) {
        var hit = !words || groupHit || opt.textContent.toLowerCase().indexOf(words) >= 0 || opt.selected;
        opt.hidden = !hit; if (hit) { shown += 1; }
      });
      group.hidden = shown === 0;
      if (shown) { rows += shown + 1; }
    });
    // While filtering, the matches show as an open list (groups and offices), so the tree can be read at once.
    if (words && rows) { select.size = Math.min(12, Math.max(2, rows)); } else { select.removeAttribute("size"); }
  }
  function init() {
    document.querySelectorAll(".org-picker-filter").forEach(function (box) {
      box.addEventListener("input", function () { filter(box); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
