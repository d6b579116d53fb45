// The admin shell: toasts, the save bar, JSON forms with errors next to their fields, and CSV downloads.
// Inside Shopify admin the toasts and save bar are App Bridge's; in a plain browser they are drawn here.
(function () {
  "use strict";

  function words() {
    return document.querySelector("[data-i18n]").dataset;
  }

  function appBridge() {
    return window.shopify && window.shopify.toast ? window.shopify : null;
  }

  function toast(message, tone) {
    const bridge = appBridge();
    if (bridge) {
      bridge.toast.show(message, { isError: tone === "error" });
      return;
    }
    const region = document.querySelector("[data-toast-region]");
    const el = document.createElement("div");
    el.className = "toast";
    el.dataset.tone = tone || "";
    el.textContent = message;  // never markup
    region.appendChild(el);
    setTimeout(function () { el.remove(); }, 4000);
  }

  // Field values as the server expects them; the server parses and checks every one again.
  function collect(form) {
    const body = {};
    for (const el of form.querySelectorAll("[name]")) {
      if (el.closest("[data-collect-skip]")) continue;
      const type = el.dataset.type;
      let value;
      if (type === "bool") value = el.checked;
      else if (type === "list") value = el.value.split(",").map(function (x) { return x.trim(); }).filter(Boolean);
      else if (type === "checks") {
        body[el.name] = body[el.name] || [];
        if (el.checked) body[el.name].push(el.value);
        continue;
      } else value = el.value;
      setPath(body, el.name, value);
    }
    const hook = form.dataset.collect && window.FlexchainCollect && window.FlexchainCollect[form.dataset.collect];
    return hook ? hook(form, body) : body;
  }

  // "stages.2.start_hours" builds {stages: {"2": {start_hours: ...}}}, as the settings API takes them.
  function setPath(body, path, value) {
    const parts = path.split(".");
    let node = body;
    for (let i = 0; i < parts.length - 1; i++) {
      node[parts[i]] = node[parts[i]] || {};
      node = node[parts[i]];
    }
    node[parts[parts.length - 1]] = value;
  }

  function clearErrors(form) {
    for (const slot of form.querySelectorAll("[data-error-for]")) {
      slot.hidden = true;
      slot.textContent = "";
    }
    for (const input of form.querySelectorAll('[aria-invalid="true"]')) input.removeAttribute("aria-invalid");
  }

  function showErrors(form, errors) {
    const unplaced = [];
    for (const [name, message] of Object.entries(errors)) {
      const slot = form.querySelector('[data-error-for="' + CSS.escape(name) + '"]');
      if (!slot) { unplaced.push(message); continue; }
      slot.textContent = message;
      slot.hidden = false;
      const input = form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (input) input.setAttribute("aria-invalid", "true");
    }
    return unplaced;
  }

  function setStatus(form, text, state) {
    const el = form.querySelector(".form-status");
    if (!el) return;
    el.textContent = text;
    el.dataset.state = state || "";
  }

  function reload() {
    // Without id_token the server sends the page through the patch-id-token page for a fresh one.
    const url = new URL(window.location.href);
    url.searchParams.delete("id_token");
    window.location.assign(url.toString());
  }

  async function submit(form) {
    const t = words();
    const method = form.dataset.method || "PUT";
    const button = form.querySelector('button[type="submit"]');
    clearErrors(form);
    setStatus(form, t.saving);
    if (button) button.disabled = true;
    try {
      const init = { method: method, headers: { "Content-Type": "application/json" } };
      if (method !== "DELETE") init.body = JSON.stringify(collect(form));
      const response = await window.authenticatedFetch(form.dataset.endpoint, init);
      const body = await response.json().catch(function () { return {}; });
      if ((response.status === 422 || response.status === 400) && body.errors && Object.keys(body.errors).length) {
        const unplaced = showErrors(form, body.errors);
        const message = unplaced.length ? unplaced.join(" ") : t.fix;
        setStatus(form, message, "error");
        toast(body.error || t.fix, "error");
      } else if (!response.ok) {
        setStatus(form, body.error || t.failed, "error");
        toast(body.error || t.failed, "error");
      } else {
        setStatus(form, t.saved, "saved");
        toast(body.message || form.dataset.success || t.saved);
        markClean(form);
        form.dispatchEvent(new CustomEvent("flexchain:saved", { detail: body }));
        if (form.hasAttribute("data-reload")) reload();
      }
    } catch (err) {
      setStatus(form, t.unreachable, "error");
      console.warn(err);
    } finally {
      if (button) button.disabled = false;
    }
  }

  // The save bar: a form marked data-savebar that changes shows it; save submits, discard restores.
  let dirty = null;
  function showSaveBar(show) {
    const bridge = window.shopify && window.shopify.saveBar ? window.shopify.saveBar : null;
    if (bridge) {
      (show ? bridge.show : bridge.hide).call(bridge, "flexchain-save-bar");
    } else {
      document.querySelector("[data-save-bar]").hidden = !show;
    }
  }
  function markDirty(form) { dirty = form; showSaveBar(true); }
  function markClean(form) { if (dirty === form) { dirty = null; showSaveBar(false); } }

  function wireSaveBar() {
    const save = function () { if (dirty) dirty.requestSubmit(); };
    const discard = function () { if (dirty) { const f = dirty; f.reset(); clearErrors(f); markClean(f); } };
    for (const [selector, fn] of [["[data-save-bar-save]", save], ["#flexchain-save-bar-save", save],
      ["[data-save-bar-discard]", discard], ["#flexchain-save-bar-discard", discard]]) {
      const el = document.querySelector(selector);
      if (el) el.addEventListener("click", fn);
    }
  }

  async function download(button) {
    const response = await window.authenticatedFetch(button.dataset.download);
    if (!response.ok) { toast(words().failed, "error"); return; }
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = button.dataset.filename || "flexchain.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  window.FlexchainShell = { toast: toast, reload: reload, submit: submit, collect: collect };
  window.FlexchainCollect = window.FlexchainCollect || {};

  document.addEventListener("DOMContentLoaded", function () {
    const main = document.querySelector("main");
    if (main && !main.id) main.id = "main";
    for (const form of document.querySelectorAll("form[data-json]")) {
      form.addEventListener("submit", function (event) { event.preventDefault(); submit(form); });
      if (form.hasAttribute("data-savebar")) {
        form.addEventListener("input", function () { markDirty(form); });
      }
    }
    for (const button of document.querySelectorAll("[data-download]")) {
      button.addEventListener("click", function () { download(button).catch(console.warn); });
    }
    wireSaveBar();
  });
})();
