// authenticatedFetch: fetch with a fresh App Bridge id token, retried once when the server asks for it.
// With App Bridge loaded the token comes from shopify.idToken(); in development (the local Shopify
// simulator, no App Bridge) it comes from the simulator's id-token endpoint.
(function () {
  "use strict";

  const RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request";

  function meta(name) {
    const el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.content : null;
  }

  async function idToken() {
    if (window.shopify && typeof window.shopify.idToken === "function") {
      return window.shopify.idToken();
    }
    const devshop = meta("flexchain-devshop");
    const shop = meta("flexchain-shop");
    if (!devshop || !shop) {
      throw new Error("App Bridge is not loaded: open Flexchain from your Shopify admin");
    }
    const url = devshop + "/app-bridge/id-token?shop=" + encodeURIComponent(shop);
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) {
      throw new Error("The development id-token endpoint answered " + response.status);
    }
    return (await response.json()).id_token;
  }

  async function authenticatedFetch(input, init, retried) {
    const options = Object.assign({}, init || {});
    const headers = new Headers(options.headers || {});
    headers.set("Authorization", "Bearer " + (await idToken()));
    // The staff member's language, so messages in JSON answers match the page.
    if (meta("flexchain-locale")) headers.set("X-Flexchain-Locale", meta("flexchain-locale"));
    options.headers = headers;
    const response = await fetch(input, options);
    if (response.status === 401 && response.headers.get(RETRY_HEADER) === "1" && !retried) {
      return authenticatedFetch(input, init, true);
    }
    return response;
  }

  async function reloadWithFreshToken(path) {
    const token = await idToken();
    const url = new URL(path, window.location.origin);
    url.searchParams.set("id_token", token);
    window.location.replace(url.toString());
  }

  async function loadSummary() {
    const el = document.getElementById("summary");
    if (!el) return;
    const response = await authenticatedFetch(el.dataset.endpoint);
    if (!response.ok) return;
    const body = await response.json();
    for (const [name, count] of Object.entries(body.counts)) {
      const dd = el.querySelector('[data-count="' + name + '"]');
      if (dd) dd.textContent = String(count);
    }
  }

  // First-sync progress: polled every 2 s until every step is done (or one failed: offer a retry).
  async function loadSync() {
    const card = document.getElementById("sync");
    if (!card) return;
    const response = await authenticatedFetch(card.dataset.endpoint);
    if (!response.ok) return;
    const body = await response.json();
    const pct = Math.round(body.fraction * 100);
    card.querySelector(".progress").setAttribute("aria-valuenow", String(pct));
    card.querySelector(".progress-bar").style.width = pct + "%";
    const list = card.querySelector(".steps");
    list.replaceChildren();
    for (const step of body.steps) {
      const li = document.createElement("li");
      const count = step.total ? step.done + " / " + step.total : String(step.done || 0);
      li.textContent = step.step + ": " + step.status + " (" + count + ")" + (step.error ? " — " + step.error : "");
      li.dataset.status = step.status;
      list.appendChild(li);
    }
    const state = card.querySelector('[data-testid="sync-state"]');
    const retry = card.querySelector('[data-action="restart-sync"]');
    retry.hidden = !body.failed;
    if (body.complete) {
      state.textContent = "Complete";
      loadSummary().catch(function (err) { console.error(err); });
      return;
    }
    state.textContent = body.failed ? "A step failed" : "In progress: " + pct + "%";
    if (!body.failed) setTimeout(function () { loadSync().catch(console.error); }, 2000);
  }

  function wireRetry() {
    const button = document.querySelector('[data-action="restart-sync"]');
    if (!button) return;
    button.addEventListener("click", async function () {
      button.disabled = true;
      const card = document.getElementById("sync");
      await authenticatedFetch(card.dataset.endpoint, { method: "POST" });
      button.disabled = false;
      loadSync().catch(console.error);
    });
  }

  window.authenticatedFetch = authenticatedFetch;
  document.addEventListener("DOMContentLoaded", function () {
    const reload = meta("flexchain-reload");
    if (reload) {
      reloadWithFreshToken(reload).catch(function (err) { console.error(err); });
    } else {
      loadSummary().catch(function (err) { console.error(err); });
      loadSync().catch(function (err) { console.error(err); });
      wireRetry();
    }
  });
})();
