// Weight sliders: each moves only its own weight; the summary shows what is assigned and what is
// left, and the form is not sent while the total is not 100% (the server checks again).
(function () {
  function init() {
    var sliders = Array.prototype.slice.call(document.querySelectorAll(".weight-slider"));
    var total = document.getElementById("weight-total");
    var left = document.getElementById("weight-left");
    var error = document.getElementById("weights-error");
    var form = document.getElementById("weights-form");
    function input(s) { return document.getElementById(s.dataset.target); }
    function sum() { return sliders.reduce(function (a, s) { return a + Number(input(s).value || 0); }, 0); }
    function round(x) { return Math.round(x * 100) / 100; }
    function show() {
      var t = round(sum());
      var rest = round(100 - t);
      if (total) { total.textContent = t; }
      if (left) {
        left.textContent = rest > 0 ? "剩余 " + rest + "%" : (rest < 0 ? "超出 " + (-rest) + "%" : "已分配完毕");
        left.className = rest === 0 ? "text-success" : "text-danger fw-bold";
      }
      return t;
    }
    sliders.forEach(function (s) {
      s.addEventListener("input", function () { input(s).value = s.value; show(); });
      input(s).addEventListener("input", function () { if (!isNaN(Number(input(s).value))) { s.value = input(s).value; } show(); });
    });
    if (form) {
      form.addEventListener("submit", function (event) {
        var t = show();
        if (Math.abs(t - 100) > 1e-6) {
          event.preventDefault();
          if (error) { error.textContent = "各分类权重之和必须为 100%（当前为 " + t + "%），请调整后再保存"; }
          document.getElementById("weights-card").scrollIntoView({ block: "center" });
        }
      });
    }
    document.querySelectorAll(".level-color").forEach(function (el) {
      el.addEventListener("input", function () { document.getElementById(el.dataset.preview).style.backgroundColor = el.value; });
    });
    show();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
