// Passports page: record a step or import a CSV through the JSON API, then reload to show the chain.
// The server answers its messages in the staff member's language; the words around them (row numbers,
// field labels) come from the page, rendered in that language too.
(function () {
  "use strict";

  function words() {
    const shell = document.querySelector("[data-i18n]");
    const page = document.querySelector("[data-passport-words]");
    return Object.assign({}, shell ? shell.dataset : {}, page ? page.dataset : {});
  }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  // A field's visible label on this form ("Place", "地点"); the API's key when the form has no such field.
  function label(form, name) {
    const input = form && form.querySelector('[name="' + CSS.escape(name === "certificates" ? "certificate" : name) + '"]');
    const text = input && input.closest("label") && input.closest("label").querySelector(".label");
    return text ? text.textContent.trim() : name;
  }

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

  function describe(form, body) {
    const t = words();
    const lead = body.error || t.refused;
    if (!body.errors) return lead;
    if (Array.isArray(body.errors)) {
      // CSV rows: the column is named as in the file, the row as a spreadsheet numbers it (0: the whole file).
      return lead + " " + body.errors.map(function (e) {
        if (!e.row) return e.field ? fill(t.field, { field: e.field, message: e.message }) : e.message;
        return fill(e.field ? t.rowField : t.row, { row: e.row, field: e.field, message: e.message });
      }).join("; ");
    }
    return lead + " " + Object.entries(body.errors).map(function (pair) {
      return fill(t.field, { field: label(form, pair[0]), message: pair[1] });
    }).join("; ");
  }

  async function submit(form) {
    const status = form.querySelector("[data-status]");
    status.textContent = words().saving;
    const init = { method: "POST" };
    if (form.dataset.kind === "csv") {
      init.body = new FormData(form);
    } else {
      init.headers = { "Content-Type": "application/json" };
      init.body = JSON.stringify(stepFrom(form));
    }
    const response = await window.authenticatedFetch(form.dataset.endpoint, init);
    const body = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      status.textContent = describe(form, body);
      return;
    }
    status.textContent = words().saved;
    // A reload with the expired id token goes through the patch-id-token page for a fresh one.
    window.location.reload();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-endpoint]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        submit(form).catch(function (err) {
          form.querySelector("[data-status]").textContent = words().unreachable;
          console.warn(err);
        });
      });
    });
  });
})();
