/* The live class: the projector's keys and slide sync, and phones following along.
   Polls send If-None-Match and keep what they have on 304 (lms/live/follow.py says why). */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function poller(url, target, every, onChange) {
    var etag = null, delay = every, timer = null;
    var self = {keep: function (tag) { etag = tag; }};
    function tick() {
      var headers = {"X-Requested-With": "fetch"};
      if (etag) headers["If-None-Match"] = etag;
      fetch(url, {headers: headers, cache: "no-store", credentials: "same-origin"}).then(function (r) {
        if (r.status === 304) { delay = every; return null; }
        if (!r.ok) { delay = Math.min(delay * 2, 15000); return null; }
        etag = r.headers.get("ETag");
        delay = every;
        return r.text();
      }).then(function (html) {
        if (html !== null && html !== undefined) { target.innerHTML = html; if (onChange) onChange(); }
      }).catch(function () { delay = Math.min(delay * 2, 15000); })
        .then(function () { timer = setTimeout(tick, delay); });
    }
    timer = setTimeout(tick, every);
    return self;
  }

  function projector(main) {
    var slides = main.querySelectorAll(".slide");
    var current = parseInt(main.dataset.start || "0", 10) || 0;
    var number = document.getElementById("slide-number");
    var error = document.getElementById("slide-error");
    var panel = document.getElementById("screen");
    function show(n) {
      n = Math.max(0, Math.min(n, slides.length - 1));
      if (n === current) return;
      slides[current].hidden = true;
      slides[n].hidden = false;
      current = n;
      number.textContent = String(n + 1);
      var body = new URLSearchParams({slide: String(n), key: main.dataset.key});
      fetch(main.dataset.slideUrl, {method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRFToken": csrf}}).then(function (r) {
        if (r.ok) { error.hidden = true; return null; }
        return r.json().then(function (data) { error.textContent = data.message || ""; error.hidden = false; });
      }).catch(function () {});
    }
    document.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      var k = e.key;
      if (k === "ArrowRight" || k === "PageDown" || k === " " || k === "Spacebar") show(current + (e.shiftKey && k === " " ? -1 : 1));
      else if (k === "ArrowLeft" || k === "PageUp") show(current - 1);
      else if (k === "Home") show(0);
      else if (k === "End") show(slides.length - 1);
      else if (k === "m" || k === "M") panel.classList.toggle("hidden-join");
      else return;
      e.preventDefault();
    });
    main.addEventListener("click", function (e) {
      var go = e.target.closest("[data-go]"), toggle = e.target.closest("[data-toggle]");
      if (go) show(current + (go.dataset.go === "next" ? 1 : -1));
      if (toggle) panel.classList.toggle("hidden-join");
    });
    poller(main.dataset.screenUrl, panel, parseInt(main.dataset.poll, 10) || 1500, function () {
      panel.classList.toggle("has-question", !!panel.querySelector(".live-question"));
    });
  }

  function follow(box) {
    var poll = poller(box.dataset.stateUrl, box, parseInt(box.dataset.poll, 10) || 2000);
    // An answer is sent without reloading the page: the reply is the phone's new fragment.
    box.addEventListener("submit", function (e) {
      var form = e.target;
      if (!form.classList.contains("big-answers") || !window.fetch) return;
      e.preventDefault();
      var body = new FormData(form);
      if (e.submitter && e.submitter.name) body.append(e.submitter.name, e.submitter.value);
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
        headers: {"X-Requested-With": "fetch", "X-CSRFToken": csrf}}).then(function (r) {
        if (r.ok) {
          poll.keep(r.headers.get("ETag"));
          return r.text().then(function (html) { box.innerHTML = html; });
        }
        return r.json().then(function (data) { say(form, data.message); });
      }).catch(function () {
        say(form, box.dataset.offline);
      }).then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
    });
  }

  function say(form, message) {
    var p = form.querySelector(".answer-error");
    if (!p) {
      p = document.createElement("p");
      p.className = "flash flash-error answer-error";
      p.setAttribute("role", "alert");
      form.insertBefore(p, form.firstChild);
    }
    p.textContent = message || "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("projector");
    if (main) projector(main);
    var box = document.getElementById("follow");
    if (box) follow(box);
    var print = document.querySelector("[data-print]");
    if (print) print.addEventListener("click", function () { window.print(); });
  });
})();
