// Live job state: polls /api/jobs/{id} for every unfinished job on the page,
// and stops jobs through DELETE /api/jobs/{id}. Without scripts the forms still work.
"use strict";
(function () {
  const WORDS = {queued: "waiting", running: "running", succeeded: "done", failed: "failed",
                 cancelled: "stopped"};
  const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
  const POLL_MS = 700;

  function show(el, job) {
    el.dataset.state = job.state;
    const state = el.querySelector("[data-field=state]");
    if (state) {
      state.textContent = WORDS[job.state] || job.state;
      state.className = "state state-" + job.state;
    }
    const progress = el.querySelector("[data-field=progress]");
    if (progress) {
      progress.value = job.progress;
      progress.textContent = Math.round(job.progress * 100) + "%";
    }
    const percent = el.querySelector("[data-field=percent]");
    if (percent) percent.textContent = Math.round(job.progress * 100) + "%";
    const message = el.querySelector("[data-field=message]");
    if (message) message.textContent = job.error || job.message;
    if (FINISHED.has(job.state)) {
      const stop = el.querySelector("form[data-stop]");
      if (stop) stop.remove();
    }
  }

  async function poll(el) {
    const id = el.dataset.job;
    while (!FINISHED.has(el.dataset.state)) {
      await new Promise((done) => setTimeout(done, POLL_MS));
      let response;
      try {
        response = await fetch("/api/jobs/" + id, {headers: {Accept: "application/json"}});
      } catch (err) {
        continue;  // the server restarting: try again
      }
      if (!response.ok) return;
      const job = await response.json();
      show(el, job);
      if (FINISHED.has(job.state) && el.id === "job-status") {
        window.location.reload();  // the server renders the result
      }
    }
  }

  function stopper(form) {
    form.addEventListener("submit", async (event) => {
      const el = form.closest("[data-job]");
      if (!el) return;
      event.preventDefault();
      const button = form.querySelector("button");
      if (button) button.disabled = true;
      const response = await fetch("/api/jobs/" + el.dataset.job, {method: "DELETE"});
      if (response.ok) show(el, await response.json());
      else if (button) button.disabled = false;
    });
  }

  document.querySelectorAll("form[data-stop]").forEach(stopper);
  document.querySelectorAll("[data-job]").forEach((el) => {
    if (!FINISHED.has(el.dataset.state)) poll(el);
  });
})();
