// Passports page: record a step or import a CSV through the JSON API, then reload to show the chain.
(function () {
  "use strict";

  function stepFrom(form) {
    const data = Object.fromEntries(new FormData(form).entries());
    const step = {};
    for (const [key, value] of Object.entries(data)) {
      if (key !== "certificate" && key !== "certificate_url" && String(value).trim() !== "") step[key] = value;
    }
    if (data.certificate && data.certificate.trim()) {
      step.certificates = [{ name: data.certificate, url: data.certificate_url || null }];
    }
    return step;
  }

  function describe(body) {
    if (!body.errors) return body.error || "Refused";
    if (Array.isArray(body.errors)) {
      return body.error + " " + body.errors.map(function (e) {
        return "Row " + e.row + (e.field ? " (" + e.field + ")" : "") + ": " + e.message;
      }).join("; ");
    }
    return body.error + " " + Object.entries(body.errors).map(function (pair) {
      return pair[0] + " " + pair[1];
    }).join("; ");
  }

  async function submit(form) {
    const status = form.querySelector("[data-status]");
    status.textContent = "Saving…";
    const init = { method: "POST" };
    if (form.dataset.kind === "csv") {
      init.body = new FormData(form);
    } else {
      init.headers = { "Content-Type": "application/json" };
      init.body = JSON.stringify(stepFrom(form));
    }
    const response = await window.authenticatedFetch(form.dataset.endpoint, init);
    const body = await response.json();
    if (!response.ok) {
      status.textContent = describe(body);
      return;
    }
    status.textContent = "Saved";
    // A reload with the expired id token goes through the patch-id-token page for a fresh one.
    window.location.reload();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-endpoint]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        submit(form).catch(function (err) {
          form.querySelector("[data-status]").textContent = String(err.message || err);
        });
      });
    });
  });
})();
