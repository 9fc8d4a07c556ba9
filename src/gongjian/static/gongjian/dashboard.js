/* The charts of a figures dashboard (ECharts, vendored). The Content-Security-Policy allows scripts
   from this site only, so the page hands its data over in <script type="application/json"
   id="dashboard-data"> (Django's json_script) and this file draws:

   - [data-chart=trend]    the figure chosen in #trend-figure at the end of each month (bars for
                           flows counted from 1 January, a line for stocks and ratios);
   - [data-chart=coverage] the coverage ratios (compounds, buildings when there are any) as rings;
   - [data-chart=ranking]  the areas below ranked by the chosen figure; a bar or a name opens that
                           area's dashboard.

   A ratio with nothing to divide by comes as null: a gap in the trend, no bar, a grey ring, and the
   words of data.text.noData ("—（无数据）"), never 0 %.

   Every chart follows the width of its box (phones turned, windows resized). */
(function () {
  "use strict";

  var RED = "#b71c1c";
  var GREY = "#e3e3e3";

  function onReady(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  var NO_DATA = "—";

  function percent(value) {
    if (value === null || value === undefined) return NO_DATA;
    return (Math.round(Number(value) * 1000) / 10).toLocaleString() + "%";
  }

  function show(kind, value) {
    if (value === null || value === undefined) return NO_DATA;
    if (kind === "ratio") return percent(value);
    return (Math.round(Number(value) * 100) / 100).toLocaleString();
  }

  function narrow() {
    return window.innerWidth < 576;
  }

  function drawTrend(chart, data, id) {
    var figure = null;
    data.figures.forEach(function (f) {
      if (f.id === id) figure = f;
    });
    figure = figure || data.figures[0];
    if (!figure) return;
    var kind = figure.kind;
    chart.setOption(
      {
        color: [RED],
        animationDuration: 300,
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        tooltip: {
          trigger: "axis",
          confine: true,
          valueFormatter: function (value) {
            return show(kind, value);
          }
        },
        xAxis: {
          type: "category",
          data: data.months,
          axisLabel: { hideOverlap: true, rotate: narrow() ? 45 : 0 }
        },
        yAxis: {
          type: "value",
          min: 0,
          max: kind === "ratio" ? 1 : null,
          minInterval: kind === "ratio" ? 0 : 1,
          axisLabel: {
            formatter: function (value) {
              return show(kind, value);
            }
          }
        },
        series: [
          {
            name: figure.name,
            type: kind === "flow" ? "bar" : "line",
            data: figure.trend,
            symbolSize: 6,
            areaStyle: kind === "flow" ? undefined : { opacity: 0.08 }
          }
        ]
      },
      true
    );
  }

  function drawCoverage(chart, data) {
    var items = data.coverage;
    var width = chart.getWidth();
    var height = chart.getHeight();
    var slot = width / items.length;
    // rings side by side, each fitting its share of the width and the height left by the title
    // above and the legend below
    var outer = Math.max(24, Math.floor(Math.min(slot, height - 90) * 0.45));
    chart.setOption(
      {
        color: [RED, GREY],
        animationDuration: 300,
        tooltip: {
          trigger: "item",
          confine: true,
          formatter: function (p) {
            return p.seriesName + "<br>" + p.name + ": " + percent(p.value);
          }
        },
        legend: { bottom: 0, data: [data.text.covered, data.text.uncovered] },
        title: items.map(function (item, i) {
          return {
            text: item.name,
            left: slot * i + slot / 2,
            top: 0,
            textAlign: "center",
            textStyle: { fontSize: 12, fontWeight: "normal", width: slot - 8, overflow: "break" }
          };
        }),
        series: items.map(function (item, i) {
          var none = item.value === null || item.value === undefined;
          var value = none ? null : Math.max(0, Math.min(1, Number(item.value) || 0));
          return {
            name: item.name,
            type: "pie",
            radius: [Math.round(outer * 0.64), outer],
            center: [slot * i + slot / 2, 36 + (height - 36 - 30) / 2],
            avoidLabelOverlap: false,
            label: { show: false },
            data: [
              {
                name: data.text.covered,
                value: none ? 0 : value,
                label: {
                  show: true,
                  position: "center",
                  fontSize: outer > 60 ? 18 : 13,
                  fontWeight: "bold",
                  formatter: function () {
                    return percent(value);
                  }
                }
              },
              { name: data.text.uncovered, value: none ? 1 : Math.round((1 - value) * 10000) / 10000, label: { show: false } }
            ]
          };
        })
      },
      true
    );
  }

  function drawRanking(chart, box, data) {
    var children = data.children;
    var kind = data.rank.kind;
    box.style.height = Math.max(160, children.length * 30 + 40) + "px";
    chart.resize();
    chart.setOption({
      color: [RED],
      animationDuration: 300,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        confine: true,
        valueFormatter: function (value) {
          return show(kind, value);
        }
      },
      xAxis: {
        type: "value",
        min: 0,
        max: kind === "ratio" ? 1 : null,
        axisLabel: {
          hideOverlap: true,
          formatter: function (value) {
            return show(kind, value);
          }
        }
      },
      yAxis: {
        type: "category",
        inverse: true, // the first (highest) at the top
        triggerEvent: true, // names open the area too
        data: children.map(function (c) {
          return c.name;
        }),
        axisLabel: { width: narrow() ? 96 : 180, overflow: "truncate", color: "#a31515", cursor: "pointer" }
      },
      series: [
        {
          name: data.rank.name,
          type: "bar",
          barMaxWidth: 22,
          barMinHeight: 3,
          cursor: "pointer",
          data: children.map(function (c) {
            return c.value;
          }),
          label: {
            show: true,
            position: "right",
            formatter: function (p) {
              return show(kind, p.value);
            }
          }
        }
      ]
    });
    chart.on("click", function (params) {
      var child = null;
      if (params.componentType === "series") {
        child = children[params.dataIndex];
      } else if (params.componentType === "yAxis") {
        children.forEach(function (c) {
          if (c.name === params.value && child === null) child = c;
        });
      }
      if (child && child.url) {
        window.location.assign(child.url);
      }
    });
  }

  onReady(function () {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    if (data.text && data.text.noData) NO_DATA = data.text.noData;
    var charts = [];

    var trendBox = document.querySelector("[data-chart=trend]");
    if (trendBox && data.figures.length) {
      var trend = window.echarts.init(trendBox);
      var select = document.getElementById("trend-figure");
      drawTrend(trend, data, select ? select.value : data.trend);
      if (select) {
        select.addEventListener("change", function () {
          drawTrend(trend, data, select.value);
        });
      }
      charts.push(trend);
    }

    var coverageBox = document.querySelector("[data-chart=coverage]");
    var coverage = null;
    if (coverageBox && data.coverage.length) {
      coverage = window.echarts.init(coverageBox);
      drawCoverage(coverage, data);
      charts.push(coverage);
    }

    var rankingBox = document.querySelector("[data-chart=ranking]");
    if (rankingBox && data.children.length) {
      var ranking = window.echarts.init(rankingBox);
      drawRanking(ranking, rankingBox, data);
      charts.push(ranking);
    }

    // a chart whose drawing (and animation) is done is marked, for people's tools and tests
    charts.forEach(function (chart) {
      chart.on("finished", function () {
        chart.getDom().setAttribute("data-drawn", "1");
      });
    });

    var resize = function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
      if (coverage) drawCoverage(coverage, data); // the rings' sizes follow the box
    };
    window.addEventListener("resize", resize);
    if (typeof window.ResizeObserver === "function") {
      var observer = new window.ResizeObserver(resize);
      document.querySelectorAll(".dashboard-chart").forEach(function (box) {
        observer.observe(box);
      });
    }
    document.documentElement.setAttribute("data-charts", String(charts.length));
  });
})();
