// Charts of a manifest page: plotly figures fetched from the JSON API, and
// "Show on chart" links that zoom every chart to a violation's span.
"use strict";
(function () {
  const DAY_MS = 86400e3;
  const HIGHLIGHT = {fill: "rgba(213, 94, 0, 0.18)", line: "#D55E00"};  // Okabe-Ito vermillion
  const charts = Array.from(document.querySelectorAll(".chart[data-figure]"));
  const status = document.getElementById("span-status");
  const reset = document.getElementById("reset-zoom");
  const drawn = [];

  async function draw(el) {
    const response = await fetch(el.dataset.figure, {headers: {Accept: "application/json"}});
    if (!response.ok) {
      el.textContent = "The chart could not be loaded (" + response.status + ").";
      return;
    }
    const fig = await response.json();
    await Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false});
    el.dataset.drawn = "true";
  }

  function spanOf(link) {
    const start = Date.parse(link.dataset.start);
    let end = Date.parse(link.dataset.end);
    if (end <= start) end = start + DAY_MS;  // an instant: a day wide, so it can be seen
    return [start, end];
  }

  function iso(ms) {
    return new Date(ms).toISOString();
  }

  function showSpan(link, scroll) {
    const [start, end] = spanOf(link);
    const pad = Math.max((end - start) * 0.5, 20 * DAY_MS);
    const shape = {type: "rect", xref: "x", yref: "paper", x0: iso(start), x1: iso(end), y0: 0, y1: 1,
                   fillcolor: HIGHLIGHT.fill, line: {color: HIGHLIGHT.line, width: 2}, layer: "above"};
    for (const el of charts) {
      if (el.dataset.drawn !== "true") continue;
      Plotly.relayout(el, {"xaxis.range": [iso(start - pad), iso(end + pad)], shapes: [shape]});
    }
    document.querySelectorAll("#violation-list tr.selected").forEach((tr) => tr.classList.remove("selected"));
    const row = link.closest("tr");
    if (row) row.classList.add("selected");
    if (status) {
      status.textContent = "Showing " + link.dataset.rule + " from " + link.dataset.start + " until " +
        link.dataset.end + " on the charts.";
    }
    if (reset) reset.hidden = false;
    if (scroll) document.getElementById("charts").scrollIntoView({block: "start"});
  }

  function showAll() {
    for (const el of charts) {
      if (el.dataset.drawn === "true") Plotly.relayout(el, {"xaxis.autorange": true, shapes: []});
    }
    if (status) status.textContent = "Showing the whole time range.";
    if (reset) reset.hidden = true;
  }

  document.querySelectorAll("a.show-span").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      history.replaceState(null, "", link.getAttribute("href"));
      showSpan(link, true);
    });
  });
  if (reset) reset.addEventListener("click", showAll);

  Promise.all(charts.map(draw)).then(() => {
    document.body.dataset.chartsReady = "true";
    const row = window.location.hash && document.getElementById(
      decodeURIComponent(window.location.hash.slice(1)));
    const target = row && row.querySelector("a.show-span");
    if (target) showSpan(target, false);
  });
})();
