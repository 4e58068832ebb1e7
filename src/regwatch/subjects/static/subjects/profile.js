// Records-per-year chart on the subject page; data comes from a json_script tag (CSP: no inline scripts).
(function () {
  function draw() {
    var holder = document.getElementById("records-chart");
    var source = document.getElementById("records-chart-data");
    if (!holder || !source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: data.years },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", stack: "records", data: s.values }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
