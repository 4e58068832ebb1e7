// Grade history on the subject page (data from json_script; CSP forbids inline scripts).
// One point per published run: runs of the same as-of date stay apart because every axis label
// names its run (批次). Behind the line, one shaded band per grade level, from the thresholds.
(function () {
  function draw() {
    var holder = document.getElementById("grade-history");
    var source = document.getElementById("grade-history-data");
    if (!holder || !source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var rows = data.points, bands = data.bands;
    var bandAreas = bands.map(function (b) {
      return [{ yAxis: b.min, name: b.code + " " + b.name, itemStyle: { color: b.color, opacity: 0.12 } }, { yAxis: b.max }];
    });
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", formatter: function (p) {
        var r = rows[p[0].dataIndex];
        return "基准日 " + r.as_of + " · 批次 #" + r.run + (r.published_at ? "<br>发布于 " + r.published_at : "") +
          "<br>等级 " + r.level + " " + r.level_name + "，风险分 " + r.score.toFixed(1);
      } },
      grid: { left: 44, right: 64, top: 12, bottom: 44 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.as_of + "\n批次 #" + r.run; }),
               axisLabel: { fontSize: 10, hideOverlap: true } },
      yAxis: { type: "value", min: 0, max: 100, name: "风险分", splitLine: { show: false } },
      series: [{
        type: "line", step: "end", data: rows.map(function (r) { return r.score; }),
        label: { show: true, formatter: function (p) { return rows[p.dataIndex].level; } },
        markArea: { silent: true, label: { position: "right", fontSize: 10, color: "#49566c" }, data: bandAreas }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // "load", not DOMContentLoaded: ECharts is a deferred script placed after this panel on the subject page.
  if (document.readyState === "complete") { draw(); } else { window.addEventListener("load", draw); }
})();
