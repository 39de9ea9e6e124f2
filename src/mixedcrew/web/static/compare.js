// The comparison chart: both manifests on one time axis, fetched as plotly JSON.
"use strict";
(function () {
  const el = document.getElementById("chart-compare");
  if (!el) return;
  fetch(el.dataset.figure, {headers: {Accept: "application/json"}}).then(async (response) => {
    if (!response.ok) {
      el.textContent = "The chart could not be loaded (" + response.status + ").";
      return;
    }
    const fig = await response.json();
    await Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false});
    el.dataset.drawn = "true";
  }).finally(() => { document.body.dataset.chartsReady = "true"; });
})();
