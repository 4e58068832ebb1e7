// Weight sliders that keep the total at 100%: moving one rescales the others proportionally.
(function () {
  function init() {
    var sliders = Array.prototype.slice.call(document.querySelectorAll(".weight-slider"));
    var total = document.getElementById("weight-total");
    function input(s) { return document.getElementById(s.dataset.target); }
    function show() {
      var sum = sliders.reduce(function (a, s) { return a + Number(input(s).value || 0); }, 0);
      if (total) { total.textContent = Math.round(sum * 100) / 100; }
    }
    function rebalance(moved) {
      var others = sliders.filter(function (s) { return s !== moved; });
      var rest = 100 - Number(moved.value);
      var sum = others.reduce(function (a, s) { return a + Number(s.value); }, 0);
      var assigned = 0;
      others.forEach(function (s, i) {
        var v = i === others.length - 1 ? rest - assigned : Math.round(sum > 0 ? Number(s.value) * rest / sum : rest / others.length);
        v = Math.max(0, v); assigned += v; s.value = v; input(s).value = v;
      });
      input(moved).value = moved.value;
      show();
    }
    sliders.forEach(function (s) { s.addEventListener("input", function () { rebalance(s); }); });
    document.querySelectorAll(".weight-input").forEach(function (el) { el.addEventListener("input", show); });
    document.querySelectorAll(".level-color").forEach(function (el) {
      el.addEventListener("input", function () { document.getElementById(el.dataset.preview).style.backgroundColor = el.value; });
    });
    show();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
