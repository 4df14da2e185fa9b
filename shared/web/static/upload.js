// Upload with progress for forms marked data-upload-progress. Without JavaScript the form
// posts as usual; with it, the file goes up by XMLHttpRequest so a <progress> can show how
// far it is, then the page the server names is loaded (its messages say what happened).
"use strict";

function uploadWithProgress(form) {
  const status = document.getElementById(form.dataset.uploadProgress);
  const bar = status ? status.querySelector("progress") : null;
  const percent = status ? status.querySelector("[data-percent]") : null;
  const button = form.querySelector("button[type=submit]");
  const token = form.querySelector("input[name=csrf_token]");

  form.addEventListener("submit", (event) => {
    if (!window.FormData || !status || !bar) return; // the plain post still works
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    // The header lets the CSRF check pass without reading the whole upload first; the
    // field is in the form as well. The second header asks for the next page's address
    // instead of a redirect the request would follow on its own.
    if (token) request.setRequestHeader("X-CSRF-Token", token.value);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const done = Math.round((progress.loaded / progress.total) * 100);
      bar.value = done;
      if (percent) percent.textContent = done + "%";
    });
    request.addEventListener("load", () => {
      let next = null;
      if (request.status === 200) {
        try {
          next = JSON.parse(request.responseText).location;
        } catch (error) {
          next = null;
        }
      }
      if (typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && next.indexOf("\\") === -1) {
        window.location.assign(next);
      } else {
        // Anything else (a stale version, a refusal): post the form the plain way, so the
        // server's own page says what went wrong exactly as it does without JavaScript.
        form.submit();
      }
    });
    request.addEventListener("error", () => {
      status.hidden = true;
      if (button) button.disabled = false;
      const failed = document.getElementById(form.dataset.uploadProgress + "-failed");
      if (failed) failed.hidden = false;
    });
    bar.value = 0;
    if (percent) percent.textContent = "0%";
    status.hidden = false;
    if (button) button.disabled = true;
    request.send(new FormData(form));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-upload-progress]")) {
    uploadWithProgress(form);
  }
});
