// Grade distribution bar chart (data from json_script; CSP forbids inline scripts).
(function () {
  function draw() {
    var holder = document.getElementById("grade-distribution");
    var source = document.getElementById("grade-distribution-data");
    if (!holder || !source || typeof echarts === "undefined") { return; }
    var d = JSON.parse(source.textContent);
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      tooltip: {}, grid: { left: 40, right: 16, top: 16, bottom: 30 },
      xAxis: { type: "category", data: d.levels.map(function (code, i) { return d.names ? code + " " + d.names[i] : code; }) }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: d.counts.map(function (n, i) { return { value: n, itemStyle: { color: d.colors[i] } }; }) }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
