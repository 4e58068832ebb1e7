// Workflow definition diagram (ECharts graph). Data comes from json_script "workflow-data".
// Edge labels must never cover a node's name, so:
// - nodes snake through a grid in definition order (row 2 runs right to left), so the usual
//   forward path is a chain of short edges between neighbours;
// - edges between non-neighbours arc away from the row, and a back edge bows to the other side of
//   its forward twin;
// - actions that keep the state (督办, 邀请协办: self-loops) are not drawn as loops, which ECharts
//   would stack on the node: they are listed under the node's name, as part of its own label.
(function () {
  "use strict";
  var COLS = 4, DX = 250, DY = 190;

  function position(i) {
    var row = Math.floor(i / COLS), col = i % COLS;
    if (row % 2 === 1) col = COLS - 1 - col;
    return { x: col * DX, y: row * DY + (col % 2) * 45 };
  }

  function curveness(si, ti) {
    var d = Math.abs(ti - si);
    var curve = d === 1 ? 0.12 : 0.25 + 0.08 * d;
    return ti < si ? -(curve + 0.2) : curve;
  }

  function draw() {
    var el = document.getElementById("workflow-graph");
    var src = document.getElementById("workflow-data");
    if (!el || !src || !window.echarts) return;
    var data = JSON.parse(src.textContent);
    var index = {}, loops = {};
    data.nodes.forEach(function (s, i) { index[s.name] = i; loops[s.name] = []; });
    var links = [];
    data.links.forEach(function (l) {
      if (l.source === l.target) {
        if (loops[l.source] && loops[l.source].indexOf(l.label) < 0) loops[l.source].push(l.label);
        return;
      }
      links.push({ source: l.source, target: l.target, value: l.label,
        lineStyle: { curveness: curveness(index[l.source], index[l.target]) } });
    });
    var nodes = data.nodes.map(function (s, i) {
      var p = position(i);
      var stay = loops[s.name].length ? "\n{loop|↻ " + loops[s.name].join("、") + "}" : "";
      return {
        id: s.name, name: s.label, x: p.x, y: p.y, symbolSize: 44,
        itemStyle: { color: s.initial ? "#2fb344" : "#206bc4" },
        label: { formatter: "{name|" + s.label + "}" + stay }
      };
    });
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { formatter: function (p) { return p.dataType === "edge" ? p.data.value : p.name; } },
      series: [{
        type: "graph", layout: "none", roam: true, draggable: true,
        // Node labels sit on white, above the edges, so a passing edge never hides a name.
        label: { show: true, position: "bottom", distance: 6, align: "center", backgroundColor: "#fff", padding: [1, 4],
          rich: { name: { fontSize: 13, fontWeight: 600, color: "#1d273b", lineHeight: 18 },
                  loop: { fontSize: 11, color: "#667382", lineHeight: 16 } } },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 9,
        edgeLabel: { show: true, formatter: function (p) { return p.data.value; }, fontSize: 11, color: "#1d273b",
          backgroundColor: "rgba(255,255,255,0.9)", padding: [1, 3], borderRadius: 3 },
        lineStyle: { width: 1.5, color: "#8a99ad", opacity: 0.9 }, data: nodes, links: links
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
