/* Flexchain delivery promise. Asks the app proxy for the selected variant's promise, follows variant changes in
   any theme (the product form's `id` input and the URL's `variant` parameter, not one theme's events), ticks the
   countdown locally and asks again when it reaches the cutoff. On a slow or failed answer the merchant's fallback
   text stays. No libraries. */
(function () {
  'use strict';
  var TICK_MS = 1000;
  var CACHE_MS = 30000;
  var TIMEOUT_MS = 3500;
  var blocks = [];

  function urlVariant() {
    var match = /[?&]variant=(\d+)/.exec(window.location.search);
    return match ? match[1] : null;
  }

  function formVariant(form) {
    var input = form && form.querySelector('[name="id"]');
    return input && /^\d+$/.test(input.value) ? input.value : null;
  }

  function findForm(el) {
    var scope = el.closest('.shopify-section') || document;
    return scope.querySelector('form[action*="/cart/add"]') || document.querySelector('form[action*="/cart/add"]');
  }

  function fill(template, values) {
    return (template || '').replace(/\[(\w+)\]/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  function Promise_(el) {
    var self = this;
    this.el = el;
    this.proxy = el.getAttribute('data-proxy');
    this.locale = el.getAttribute('data-locale') || '';
    this.show = ' ' + (el.getAttribute('data-show') || '') + ' ';
    this.sentence = el.querySelector('[data-fc-sentence]');
    this.meta = el.querySelector('[data-fc-meta]');
    this.tier = el.querySelector('[data-fc-tier]');
    this.live = el.querySelector('[data-fc-live]');
    this.fallback = this.sentence.textContent;
    this.texts = {};
    var template = el.querySelector('template[data-fc-texts]');
    if (template) {
      template.content.querySelectorAll('[data-k]').forEach(function (node) {
        self.texts[node.getAttribute('data-k')] = node.textContent.trim();
      });
    }
    this.form = findForm(el);
    this.lastForm = formVariant(this.form);
    this.lastUrl = urlVariant();
    this.cache = {};
    this.data = null;
    this.deadline = null;
    this.variant = null;
    var first = el.getAttribute('data-variant');
    if (/^\d+$/.test(first || '')) this.load(first);
  }

  Promise_.prototype.shows = function (part) {
    return this.show.indexOf(' ' + part + ' ') >= 0;
  };

  Promise_.prototype.check = function () {
    var fromForm = formVariant(this.form);
    var fromUrl = urlVariant();
    var next = null;
    if (fromForm !== this.lastForm) {
      this.lastForm = fromForm;
      next = fromForm;
    }
    if (fromUrl !== this.lastUrl) {
      this.lastUrl = fromUrl;
      next = next || fromUrl;
    }
    if (next && next !== this.variant) this.load(next);
  };

  Promise_.prototype.load = function (variant) {
    var self = this;
    this.variant = variant;
    this.deadline = null;
    var hit = this.cache[variant];
    if (hit && Date.now() - hit.at < CACHE_MS) {
      this.render(hit.data, hit.at);
      return;
    }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (controller) controller.abort();
      self.fail(variant);
    }, TIMEOUT_MS);
    var url = this.proxy + '/promise?variant_id=' + encodeURIComponent(variant) + '&quantity=1' +
      (this.locale ? '&locale=' + encodeURIComponent(this.locale) : '');
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' },
                 signal: controller ? controller.signal : undefined })
      .then(function (response) {
        if (!response.ok) throw new Error('promise ' + response.status);
        return response.json();
      })
      .then(function (data) {
        clearTimeout(timer);
        var at = Date.now();
        self.cache[variant] = { data: data, at: at };
        if (self.variant === variant) self.render(data, at);
      })
      .catch(function () {
        clearTimeout(timer);
        self.fail(variant);
      });
  };

  Promise_.prototype.fail = function (variant) {
    if (this.variant !== variant) return;
    this.data = null;
    this.deadline = null;
    this.el.setAttribute('data-state', 'fallback');
    setText(this.sentence, this.fallback);
    setText(this.meta, '');
    setText(this.tier, '');
  };

  Promise_.prototype.render = function (data, at) {
    this.data = data;
    var countdown = data.countdown;
    this.deadline = countdown && this.shows('countdown') ? at + countdown.seconds * 1000 : null;
    this.el.setAttribute('data-state', data.status || 'unknown');
    this.paint(true);
  };

  Promise_.prototype.countdown = function () {
    var t = this.texts;
    var minutes = Math.max(1, Math.floor((this.deadline - Date.now()) / 60000));
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    if (hours >= 24) return fill(t.days_hours, { d: Math.floor(hours / 24), h: hours % 24 });
    if (hours === 0) return fill(t.minutes, { m: minutes });
    return fill(t.hours_minutes, { h: hours, m: minutes });
  };

  Promise_.prototype.paint = function (announce) {
    var d = this.data;
    var t = this.texts;
    var sentence;
    if (!d.window) {
      sentence = t.unavailable;
    } else {
      var city = this.shows('city') && d.warehouse && d.warehouse.city;
      var key = d.status === 'backorder' ? 'backorder' : !this.deadline ? 'plain' : d.split ? 'split' : 'available';
      if (key !== 'split' && city) key += '_city';
      sentence = fill(t[key], { window: d.window.text, city: city || '', parcels: d.parcels || 1,
                                countdown: this.deadline ? this.countdown() : '' });
    }
    var meta = [];
    if (this.shows('service') && d.service_level && t['service_' + d.service_level]) {
      meta.push(t['service_' + d.service_level]);
    }
    if (this.shows('carbon') && d.kg_co2e_text) meta.push(fill(t.carbon, { co2: d.kg_co2e_text }));
    setText(this.sentence, sentence);
    setText(this.meta, meta.join(' · '));
    setText(this.tier, this.shows('tier') && d.tier && d.tier.text ? d.tier.text : '');
    // Screen readers hear a new promise, not every minute of the countdown.
    if (announce) setText(this.live, sentence);
  };

  Promise_.prototype.tick = function () {
    this.check();
    if (!this.deadline || !this.data) return;
    if (Date.now() >= this.deadline) {
      delete this.cache[this.variant];
      this.load(this.variant);
    } else {
      this.paint(false);
    }
  };

  function init() {
    document.querySelectorAll('[data-fc-promise]').forEach(function (el) {
      if (el.fcPromise) return;
      el.fcPromise = new Promise_(el);
      blocks.push(el.fcPromise);
    });
  }

  function checkAll() {
    blocks.forEach(function (block) { block.check(); });
  }

  init();
  // Themes update the form's input in their own change handlers: look once they have run.
  document.addEventListener('change', function () { setTimeout(checkAll, 0); }, true);
  window.addEventListener('popstate', checkAll);
  document.addEventListener('shopify:section:load', init);
  setInterval(function () {
    blocks = blocks.filter(function (block) { return block.el.isConnected; });
    blocks.forEach(function (block) { block.tick(); });
  }, TICK_MS);
})();
