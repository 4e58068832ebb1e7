// Workflow definition diagram (ECharts graph). Data comes from json_script "workflow-data".
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("workflow-graph");
    var src = document.getElementById("workflow-data");
    if (!el || !src || !window.echarts) return;
    var data = JSON.parse(src.textContent);
    var n = data.nodes.length;
    var nodes = data.nodes.map(function (s, i) {
      return {
        id: s.name, name: s.label, x: (i % 4) * 220, y: Math.floor(i / 4) * 160 + (i % 2) * 40,
        symbolSize: 70, itemStyle: { color: s.initial ? "#2fb344" : "#206bc4" }
      };
    });
    var links = data.links.map(function (l) {
      return { source: l.source, target: l.target, value: l.label, label: { show: true, formatter: l.label, fontSize: 11 } };
    });
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: {},
      series: [{
        type: "graph", layout: n > 0 ? "none" : "force", roam: true, draggable: true,
        label: { show: true, color: "#fff" }, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 10,
        lineStyle: { curveness: 0.25, width: 1.5 }, data: nodes, links: links
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
