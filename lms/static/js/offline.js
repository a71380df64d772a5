// Lớp Số without signal: registers the service worker (lms/static/js/sw.js), says when the phone
// is offline, and keeps answers given offline in a queue sent once back online. Every queued
// answer has an id made here, so sending it twice counts it once; the server grades it.
(function start() {
  "use strict";
  // Loaded async: wait for the page if it is still arriving.
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); return; }
  var banner = document.getElementById("offline-banner");
  if (!banner || !window.fetch || !window.localStorage || !window.JSON) { return; }
  var QUEUE = "lopso-queue", sw = navigator.serviceWorker, flushing = false, sentNote = false;

  function load() { try { return JSON.parse(localStorage.getItem(QUEUE)) || []; } catch (e) { return []; } }
  function store(items) { try { localStorage.setItem(QUEUE, JSON.stringify(items)); } catch (e) { /* full */ } }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16); crypto.getRandomValues(bytes);
    return [].map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // Whose phone is this now: the service worker knows the key of the pages it keeps.
  function askKey() {
    return new Promise(function (resolve) {
      if (!sw || !sw.controller || !window.MessageChannel) { resolve(null); return; }
      var channel = new MessageChannel(), timer = setTimeout(function () { resolve(null); }, 1000);
      channel.port1.onmessage = function (event) { clearTimeout(timer); resolve(event.data); };
      sw.controller.postMessage({ type: "key" }, [channel.port2]);
    });
  }
  var keyNow = askKey();

  function show() {
    keyNow.then(function (key) {
      var mine = load().filter(function (item) { return !key || item.account === key; });
      var answers = mine.filter(function (item) { return item.kind === "answer"; }).length;
      var parts = [];
      if (!navigator.onLine) { parts.push(banner.getAttribute("data-offline")); }
      if (answers) { parts.push(banner.getAttribute("data-pending").replace("{n}", answers)); }
      else if (mine.length) { parts.push(banner.getAttribute("data-pending-done")); }
      else if (sentNote) { parts.push(banner.getAttribute("data-sent")); }
      banner.textContent = parts.join(" ");
      banner.hidden = !parts.length;
    });
  }

  function remove(id) { store(load().filter(function (item) { return item.id !== id; })); }

  function send(item, state) {
    var headers = { "X-CSRFToken": state.csrf, "Accept": "application/json" };
    var options = { method: "POST", credentials: "same-origin", headers: headers, redirect: "manual" };
    if (item.kind === "answer") {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify({ client_id: item.id, question_id: item.question, choices: item.choices });
    }
    return fetch(item.url, options).then(function (response) {
      if (item.kind === "done") {  // the done-mark answers with a redirect to the check
        // Kept until it is taken; a lesson gone since (404) is dropped, a stale token (400) is not.
        if (response.type === "opaqueredirect" || response.ok || response.status === 404) { remove(item.id); }
        return;
      }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") < 0) { return; }  // signed out or a stale token: keep it
      return response.json().then(function (data) {
        if (response.status === 409 || response.status >= 500) { return; }  // try again later
        remove(item.id);
        sentNote = true;
        document.dispatchEvent(new CustomEvent("lopso:answer-sent", { detail: { item: item, data: data, ok: response.ok } }));
      });
    });
  }

  // Back online: a fresh CSRF token first (the page may be older than the sign-in), then each
  // queued item of the person signed in now, one at a time, in the order given.
  function flush() {
    if (flushing || !navigator.onLine || !load().length) { show(); return Promise.resolve(); }
    flushing = true;
    return fetch(banner.getAttribute("data-state"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (!state.account) { return; }
        keyNow = Promise.resolve(state.account);
        return load().filter(function (item) { return item.account === state.account; })
          .reduce(function (done, item) { return done.then(function () { return send(item, state); }); }, Promise.resolve());
      })
      .catch(function () { /* still no signal */ })
      .then(function () { flushing = false; show(); });
  }
  window.lopsoFlush = flush;

  // Online, the server says who is signed in; offline, the service worker's key is the answer.
  function whoNow() {
    if (!navigator.onLine) { return keyNow; }
    return fetch(banner.getAttribute("data-state"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (state) { keyNow = Promise.resolve(state.account); return state.account; }, function () { return keyNow; });
  }

  function enqueue(item) {
    return whoNow().then(function (key) {
      if (!key) { return null; }
      item.id = newId(); item.account = key; item.at = Date.now();
      var items = load(); items.push(item); store(items);
      show();
      return item;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList) { return; }
    if (form.classList.contains("queued-answer")) {
      event.preventDefault();
      answer(form);
    } else if (form.classList.contains("lesson-done") && !navigator.onLine) {
      event.preventDefault();
      enqueue({ kind: "done", url: form.action }).then(function (item) {
        if (!item) { form.submit(); return; }
        var next = form.getAttribute("data-offline-check");
        if (next) { window.location.href = next; return; }
        var note = document.createElement("p");
        note.className = "done-mark"; note.setAttribute("role", "status");
        note.textContent = form.getAttribute("data-offline-done");
        form.parentNode.replaceChild(note, form);
      });
    } else if (form.action && /\/logout$/.test(form.action) && load().length && navigator.onLine && !form.dataset.flushed) {
      // Send what waits before signing out; the next page (nobody's) clears the kept pages.
      event.preventDefault();
      form.dataset.flushed = "1";
      flush().then(function () {
        if (sw && sw.controller) { sw.controller.postMessage({ type: "signout" }); }
        form.submit();
      });
    }
  });

  // The offline check: each answer is queued at once, then sent if there is signal.
  var check = document.getElementById("offline-check");
  function statusOf(questionId) {
    var section = document.getElementById("q-" + questionId);
    return section && section.querySelector(".queued-status");
  }
  function answer(form) {
    var chosen = [].filter.call(form.querySelectorAll('input[name="choice"]'), function (i) { return i.checked; })
      .map(function (i) { return i.value; });
    var question = form.querySelector('input[name="question_id"]').value;
    var status = statusOf(question);
    if (!chosen.length) { status.textContent = check.getAttribute("data-choose"); return; }
    enqueue({ kind: "answer", url: form.action, question: parseInt(question, 10), choices: chosen }).then(function (item) {
      if (!item) { form.submit(); return; }  // no service worker: the plain form is graded at once
      [].forEach.call(form.elements, function (el) { el.disabled = true; });
      status.textContent = check.getAttribute(navigator.onLine ? "data-sending" : "data-saved");
      flush().then(function () {
        if (load().some(function (i) { return i.id === item.id; })) { status.textContent = check.getAttribute("data-saved"); }
      });
    });
  }
  if (check) {
    // Answers waiting from an earlier visit show as such.
    load().forEach(function (item) {
      var status = item.kind === "answer" && statusOf(item.question);
      if (status) {
        status.textContent = check.getAttribute("data-saved");
        var form = status.parentNode.querySelector("form");
        [].forEach.call(form.elements, function (el) { el.disabled = true; });
      }
    });
    document.addEventListener("lopso:answer-sent", function (event) {
      var data = event.detail.data, status = statusOf(event.detail.item.question);
      if (!status) { return; }
      status.textContent = event.detail.ok ? check.getAttribute(data.correct ? "data-right" : "data-wrong") : data.error;
      if (data.finished) {
        var summary = check.querySelector(".check-summary");
        summary.textContent = check.getAttribute("data-finished").replace("{c}", data.right).replace("{t}", data.total) + " ";
        var link = document.createElement("a");
        link.href = data.result_url; link.textContent = check.getAttribute("data-result");
        summary.appendChild(link);
      }
    });
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", show);
  if (sw) {
    // After the page has loaded, so the first visit's budget and paint are not touched.
    var whenLoaded = function (then) {
      if (document.readyState === "complete") { then(); } else { window.addEventListener("load", then); }
    };
    whenLoaded(function () {
      sw.register(banner.getAttribute("data-sw"), { scope: "/" }).then(function () {
        // The first page came before the worker: tell it who is signed in, so it fetches ahead.
        if (sw.controller || !navigator.onLine) { return; }
        return Promise.all([whoNow(), sw.ready]).then(function (both) {
          if (both[0]) { both[1].active.postMessage({ type: "account", key: both[0] }); }
        });
      }).catch(function () { /* no worker: online only */ });
    });
  }
  flush();
})();
