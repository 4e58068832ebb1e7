// The organisation picker's filter box: hides options (and empty region groups) that do not match what is typed.
(function () {
  if (window.regwatchOrgPicker) { return; }  // the partial may be included more than once on a page
  window.regwatchOrgPicker = true;
  function filter(box) {
    var select = document.getElementById(box.dataset.for);
    if (!select) { return; }
    var words = box.value.trim().toLowerCase();
    select.querySelectorAll("optgroup").forEach(function (group) {
      var shown = 0;
      var groupHit = group.label.toLowerCase().indexOf(words) >= 0;
      group.querySelectorAll("option").forEach(function (opt) {
        var hit = !words || groupHit || opt.textContent.toLowerCase().indexOf(words) >= 0 || opt.selected;
        opt.hidden = !hit; if (hit) { shown += 1; }
      });
      group.hidden = shown === 0;
    });
  }
  function init() {
    document.querySelectorAll(".org-picker-filter").forEach(function (box) {
      box.addEventListener("input", function () { filter(box); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
