// Workflow definition diagram (ECharts graph). Data comes from json_script "workflow-data".
// Nodes sit on a grid in definition order. Edge labels must never cover a node's name, so:
// - forward edges between neighbours are nearly straight (their midpoint lies between nodes);
// - edges that skip nodes or go backwards arc away from the row, back edges on the other side;
// - self-loops are drawn above the node with their label lifted clear of it;
// - labels carry a white box so crossing lines do not make them unreadable.
(function () {
  "use strict";
  var COLS = 4, DX = 260, DY = 200;

  function linkStyle(l, index) {
    var si = index[l.source], ti = index[l.target];
    var label = { show: true, formatter: l.label, fontSize: 11, color: "#1d273b",
      backgroundColor: "rgba(255,255,255,0.92)", padding: [2, 4], borderRadius: 3 };
    if (l.source === l.target) {
      // ECharts draws a self-loop as a teardrop; a large curveness keeps it wide, the offset lifts the label.
      return { lineStyle: { curveness: 0.9 }, label: Object.assign(label, { offset: [0, -28] }) };
    }
    var d = Math.abs(ti - si);
    var sameRow = Math.floor(si / COLS) === Math.floor(ti / COLS);
    var curve = d === 1 || !sameRow ? 0.12 : 0.25 + 0.12 * d;
    if (ti < si) curve = -(curve + 0.2);
    return { lineStyle: { curveness: curve }, label: label };
  }

  function draw() {
    var el = document.getElementById("workflow-graph");
    var src = document.getElementById("workflow-data");
    if (!el || !src || !window.echarts) return;
    var data = JSON.parse(src.textContent);
    var n = data.nodes.length;
    var index = {};
    var nodes = data.nodes.map(function (s, i) {
      index[s.name] = i;
      return {
        id: s.name, name: s.label, x: (i % COLS) * DX, y: Math.floor(i / COLS) * DY + (i % 2) * 50,
        symbolSize: 76, itemStyle: { color: s.initial ? "#2fb344" : "#206bc4" }
      };
    });
    var links = data.links.map(function (l) {
      var style = linkStyle(l, index);
      return { source: l.source, target: l.target, value: l.label, lineStyle: style.lineStyle, label: style.label };
    });
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: {},
      series: [{
        type: "graph", layout: n > 0 ? "none" : "force", roam: true, draggable: true,
        label: { show: true, color: "#fff", fontWeight: 600 }, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 10,
        edgeLabel: { show: true }, lineStyle: { width: 1.5, opacity: 0.8 }, data: nodes, links: links,
        // If an edge label still meets a node name, ECharts shifts one of them vertically.
        labelLayout: { moveOverlap: "shiftY" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
