// Recovery page: previews render in a sandboxed frame (no script, no same-origin); a test send's stage is a number.
(function () {
  "use strict";
  window.FlexchainCollect = window.FlexchainCollect || {};
  window.FlexchainCollect.sendTest = function (form, body) {
    return { email: body.email, stage: Number(body.stage), locale: body.locale };
  };

  async function preview(form) {
    const body = { stage: Number(form.querySelector('[name="stage"]').value), locale: form.querySelector('[name="locale"]').value };
    const response = await window.authenticatedFetch(form.dataset.endpoint, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) { window.FlexchainShell.toast(data.error || document.querySelector("[data-i18n]").dataset.previewFailed, "error"); return; }
    document.querySelector("[data-preview-subject]").textContent = data.subject;
    document.querySelector("[data-preview-frame]").srcdoc = data.html;
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.querySelector("form[data-preview]");
    if (!form) return;
    form.addEventListener("submit", function (event) { event.preventDefault(); preview(form).catch(console.warn); });
  });
})();
