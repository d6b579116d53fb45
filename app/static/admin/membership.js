// Membership page: the tier table and the perk table are sent as lists and objects, not flat fields.
(function () {
  "use strict";
  window.FlexchainCollect = window.FlexchainCollect || {};

  window.FlexchainCollect.membershipSettings = function (form, body) {
    const tiers = [];
    for (const row of form.querySelectorAll("[data-tier-row]")) {
      const get = function (suffix) { return row.querySelector('[name$=".' + suffix + '"]'); };
      tiers.push({ name: get("name").value, threshold: get("threshold").value, over: get("over").checked });
    }
    return { tiers: tiers, grace_days: body.grace_days, spend_window: body.spend_window, rules: body.rules || {} };
  };

  window.FlexchainCollect.membershipPerks = function (form, body) {
    const tiers = {};
    for (const row of form.querySelectorAll("[data-perk-row]")) {
      const perk = {};
      for (const el of row.querySelectorAll("[data-perk]")) {
        perk[el.dataset.perk] = el.type === "checkbox" ? el.checked : el.value;
      }
      tiers[row.dataset.tier] = perk;
    }
    return { discounts_enabled: body.discounts_enabled, tiers: tiers };
  };
})();
