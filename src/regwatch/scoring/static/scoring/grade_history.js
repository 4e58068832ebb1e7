// Grade history on the subject page: scores of published runs (data from json_script; CSP forbids inline scripts).
(function () {
  function draw() {
    var holder = document.getElementById("grade-history");
    var source = document.getElementById("grade-history-data");
    if (!holder || !source || typeof echarts === "undefined") { return; }
    var rows = JSON.parse(source.textContent);
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", formatter: function (p) { var r = rows[p[0].dataIndex]; return r.as_of + "<br>等级 " + r.level + "，风险分 " + r.score.toFixed(1); } },
      grid: { left: 40, right: 16, top: 16, bottom: 30 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.as_of; }) },
      yAxis: { type: "value", min: 0, max: 100, name: "风险分" },
      series: [{ type: "line", step: "end", data: rows.map(function (r) { return r.score; }),
                 label: { show: true, formatter: function (p) { return rows[p.dataIndex].level; } } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // "load", not DOMContentLoaded: ECharts is a deferred script placed after this panel on the subject page.
  if (document.readyState === "complete") { draw(); } else { window.addEventListener("load", draw); }
})();
