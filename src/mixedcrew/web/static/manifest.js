// Charts of a manifest page: plotly figures fetched from the JSON API, tied
// together by timeline.js (one time axis, rows of the people aboard, the
// filter, the date picker), and "Show on chart" links that zoom every chart
// to a violation's span.
"use strict";
(function () {
  const T = window.MixedcrewTimeline;
  const HIGHLIGHT = {fill: "rgba(213, 94, 0, 0.18)", line: "#D55E00"};  // Okabe-Ito vermillion
  const charts = Array.from(document.querySelectorAll(".chart[data-figure]"));
  const status = document.getElementById("span-status");
  const reset = document.getElementById("reset-zoom");
  const panel = document.getElementById("aboard-panel");
  const picker = document.getElementById("aboard-form");
  let ctl = null;

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

  async function timelineData() {
    if (!panel || !panel.dataset.timeline) return null;
    const response = await fetch(panel.dataset.timeline, {headers: {Accept: "application/json"}});
    return response.ok ? response.json() : null;
  }

  function spanOf(link) {
    const start = Date.parse(link.dataset.start);
    let end = Date.parse(link.dataset.end);
    if (end <= start) end = start + T.DAY_MS;  // an instant: a day wide, so it can be seen
    return [start, end];
  }

  async function showSpan(link, scroll) {
    const [start, end] = spanOf(link);
    const pad = Math.max((end - start) * 0.5, 20 * T.DAY_MS);
    const shape = {type: "rect", xref: "x", yref: "paper", x0: T.iso(start), x1: T.iso(end), y0: 0, y1: 1,
                   name: "violation", fillcolor: HIGHLIGHT.fill, line: {color: HIGHLIGHT.line, width: 2},
                   layer: "above"};
    await ctl.zoom(start - pad, end + pad, shape);
    document.querySelectorAll("#violation-list tr.selected").forEach((tr) => tr.classList.remove("selected"));
    const row = link.closest("tr");
    if (row) row.classList.add("selected");
    if (status) {
      status.textContent = "Showing " + link.dataset.rule + " from " + link.dataset.start + " until " +
        link.dataset.end + " on the charts, with the " + ctl.rows + " people aboard around then.";
    }
    if (reset) reset.hidden = false;
    if (scroll) document.getElementById("charts").scrollIntoView({block: "start"});
  }

  function zoomed(range) {
    if (status) {
      status.textContent = range ? "Showing " + T.iso(range[0]) + " to " + T.iso(range[1]) + ", with the " +
        ctl.rows + " people aboard then." : "Showing the whole time range.";
    }
    if (reset) reset.hidden = !range;
  }

  async function showAll() {
    await ctl.reset();
    zoomed(null);
  }

  Promise.all([Promise.all(charts.map(draw)), timelineData()]).then(([, data]) => {
    const drawn = charts.filter((el) => el.dataset.drawn === "true");
    ctl = T.attach({
      charts: drawn, stays: document.getElementById("chart-stays"), data: data, panel: panel,
      dateForm: picker, filterForm: document.getElementById("chart-filter"),
      onZoom: () => setTimeout(() => zoomed(ctl.range()), 0),
      onDate: (value) => {
        const url = new URL(window.location.href);
        url.searchParams.set("at", value);
        history.replaceState(null, "", url.pathname + url.search + url.hash);
      },
    });
    document.querySelectorAll("a.show-span").forEach((link) => {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        history.replaceState(null, "", link.getAttribute("href"));
        showSpan(link, true);
      });
    });
    if (reset) reset.addEventListener("click", showAll);
    const row = window.location.hash && document.getElementById(
      decodeURIComponent(window.location.hash.slice(1)));
    const target = row && row.querySelector("a.show-span");
    return target ? showSpan(target, false) : null;
  }).then(() => {
    document.body.dataset.chartsReady = "true";
  });
})();
