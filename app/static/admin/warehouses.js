// Warehouses page: every form saves itself as JSON through authenticatedFetch (Bearer id token, no cookies)
// and shows the server's message next to each field it refused. Its own words come from the shell's
// data-i18n element, rendered by the server in the staff member's language.
(function () {
  "use strict";

  function words() {
    const el = document.querySelector("[data-i18n]");
    return el ? el.dataset : {};
  }

  function collect(form) {
    const body = {};
    for (const el of form.querySelectorAll("[name]")) {
      const type = el.dataset.type;
      if (type === "bool") {
        body[el.name] = el.checked;
      } else if (type === "weekday") {
        body[el.name] = body[el.name] || [];
        if (el.checked) body[el.name].push(Number(el.value));
      } else {
        body[el.name] = el.value;  // the server parses and checks numbers, dates and codes
      }
    }
    const tierRows = form.querySelectorAll("[data-tier-row]");
    if (tierRows.length) {
      body.tier_handling = {};
      for (const row of tierRows) {
        const name = row.querySelector('[data-tier="name"]').value.trim();
        if (!name) continue;
        body.tier_handling[name] = {
          days: row.querySelector('[data-tier="days"]').value,
          hours: row.querySelector('[data-tier="hours"]').value,
        };
      }
    }
    return body;
  }

  function clearErrors(form) {
    for (const slot of form.querySelectorAll("[data-error-for]")) {
      slot.hidden = true;
      slot.textContent = "";
    }
    for (const input of form.querySelectorAll('[aria-invalid="true"]')) input.removeAttribute("aria-invalid");
  }

  function showErrors(form, errors, status) {
    const unplaced = [];
    for (const [name, message] of Object.entries(errors)) {
      const slot = form.querySelector('[data-error-for="' + CSS.escape(name) + '"]');
      if (!slot) { unplaced.push(message); continue; }
      slot.textContent = message;  // textContent: a message never becomes markup
      slot.hidden = false;
      const input = form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (input) input.setAttribute("aria-invalid", "true");
    }
    setStatus(status, unplaced.length ? unplaced.join(" ") : words().fix, "error");
  }

  function setStatus(el, text, state) {
    if (!el) return;
    el.textContent = text;
    el.dataset.state = state || "";
  }

  function reload() {
    // Without id_token the server sends us through the patch-id-token page for a fresh one.
    const url = new URL(window.location.href);
    url.searchParams.delete("id_token");
    window.location.assign(url.toString());
  }

  async function submit(form) {
    const status = form.querySelector(".form-status");
    const button = form.querySelector('button[type="submit"]');
    const method = form.dataset.method || "PUT";
    const t = words();
    clearErrors(form);
    setStatus(status, t.saving);
    button.disabled = true;
    try {
      const init = { method: method, headers: { "Content-Type": "application/json" } };
      if (method !== "DELETE") init.body = JSON.stringify(collect(form));
      const response = await window.authenticatedFetch(form.dataset.endpoint, init);
      const body = await response.json().catch(function () { return {}; });
      if (response.status === 422 && body.errors) {
        showErrors(form, body.errors, status);
      } else if (!response.ok) {
        setStatus(status, body.error || t.failed, "error");
      } else if (form.hasAttribute("data-reload")) {
        setStatus(status, t.saved);
        reload();
      } else {
        setStatus(status, t.saved, "saved");
      }
    } catch (err) {
      setStatus(status, t.unreachable, "error");
      console.error(err);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    for (const form of document.querySelectorAll("form[data-endpoint]")) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        submit(form);
      });
    }
  });
})();
