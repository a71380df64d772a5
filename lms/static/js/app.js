// Lớp Số: small enhancements only; every page works without this file.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // Every htmx request carries the CSRF token, like the forms do.
  document.addEventListener("htmx:configRequest", function (event) {
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.getAttribute("content"); }
  });

  // "Read aloud": the browser's own speech synthesis, one paragraph at a time (phones cut long
  // utterances short), with pause/continue, previous/next and the paragraph being read marked.
  // Shown only when the phone can speak the lesson's language; otherwise a short reason instead.
  function setUpReadAloud(root) {
    var box = root.querySelector(".read-aloud");
    if (!box) { return; }
    var why = box.querySelector(".read-aloud-why");
    var controls = box.querySelector(".read-aloud-controls");
    var play = box.querySelector(".read-aloud-play"), prev = box.querySelector(".read-aloud-prev");
    var next = box.querySelector(".read-aloud-next"), stopButton = box.querySelector(".read-aloud-stop");
    var status = box.querySelector(".read-aloud-status");
    var startLabel = play.textContent, wanted = box.getAttribute("data-lang");
    var synth = window.speechSynthesis;
    function explain(key) { why.textContent = box.getAttribute(key); why.classList.remove("off"); }
    if (!synth || !window.SpeechSynthesisUtterance) { explain("data-no-speech"); return; }

    function pickVoice() {
      var voices = synth.getVoices() || [], prefix = wanted.slice(0, 2);
      for (var i = 0; i < voices.length; i++) {
        if (voices[i].lang && voices[i].lang.replace("_", "-").toLowerCase().indexOf(prefix) === 0) { return voices[i]; }
      }
      return null;
    }
    var article = document.getElementById("lesson-text");
    var parts = [].filter.call(article.querySelectorAll("h1, h2, h3, h4, p, li, tr"), function (el) {
      return !el.closest(".read-aloud, .reading, .sources, .note") && !(el.parentElement && el.parentElement.closest("li, tr"))
        && el.textContent.trim();
    });
    var voice = null, index = 0, playing = false, turn = 0;

    function mark() {
      for (var i = 0; i < parts.length; i++) { parts[i].classList.toggle("reading-now", i === index && (playing || index > 0)); }
    }
    function refresh() {
      play.textContent = playing ? box.getAttribute("data-pause") : (index > 0 ? box.getAttribute("data-resume") : startLabel);
      prev.disabled = index === 0;
      next.disabled = index >= parts.length - 1;
      stopButton.hidden = !playing && index === 0;
      mark();
    }
    function say(i) {
      index = Math.max(0, Math.min(i, parts.length - 1));
      playing = true;
      var mine = ++turn;  // a cancelled paragraph's late "end" must not move on
      synth.cancel();
      var utterance = new window.SpeechSynthesisUtterance(parts[index].textContent.trim());
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      utterance.onend = function () {
        if (mine !== turn || !playing) { return; }
        if (index < parts.length - 1) { say(index + 1); } else { reset(); }
      };
      status.textContent = box.getAttribute("data-where").replace("{n}", index + 1).replace("{t}", parts.length);
      refresh();
      if (parts[index].scrollIntoView) { parts[index].scrollIntoView({ block: "center" }); }
      synth.speak(utterance);
    }
    function pause() { playing = false; turn++; synth.cancel(); refresh(); }
    function reset() { playing = false; turn++; synth.cancel(); index = 0; status.textContent = ""; refresh(); }
    play.addEventListener("click", function () { if (playing) { pause(); } else { say(index); } });
    prev.addEventListener("click", function () { say(index - 1); });
    next.addEventListener("click", function () { say(index + 1); });
    stopButton.addEventListener("click", reset);
    window.addEventListener("pagehide", function () { synth.cancel(); });

    function ready() {
      voice = pickVoice();
      if (!voice || !parts.length) { explain("data-no-voice"); return; }
      why.remove();  // its place was kept only so that the controls move nothing when they appear
      controls.classList.remove("off");
      refresh();
    }
    // Voices load late on some phones: wait for them once, briefly, before saying there are none.
    if (pickVoice() || (synth.getVoices() || []).length) { ready(); return; }
    var done = false;
    function finish() { if (!done) { done = true; ready(); } }
    if (synth.addEventListener) { synth.addEventListener("voiceschanged", finish, { once: true }); }
    window.setTimeout(finish, 1500);
  }

  // Text size and contrast change in place, so a reader deep in a lesson stays where they were.
  // Without this, the form posts and the page comes back at the form (its #fragment).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("reading") || !window.fetch) { return; }
    var submitter = event.submitter;
    if (!submitter) { return; }
    event.preventDefault();
    function plain() {  // the ordinary post, with the button's value
      var field = document.createElement("input");
      field.type = "hidden"; field.name = "action"; field.value = submitter.value;
      form.appendChild(field); form.submit();
    }
    var data = new FormData(form);
    data.append("action", submitter.value);
    window.fetch(form.getAttribute("action"), { method: "POST", body: data, headers: { "X-Reading": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 204) { plain(); return; }
        var size = parseInt(response.headers.get("X-Reading-Size"), 10);
        var classes = response.headers.get("X-Reading-Classes") || "";
        document.documentElement.className = classes;
        var forms = document.querySelectorAll("form.reading");
        for (var i = 0; i < forms.length; i++) {
          forms[i].querySelector('[value="smaller"]').disabled = size === 0;
          forms[i].querySelector('[value="bigger"]').disabled = size === 4;
          forms[i].querySelector('[value="contrast"]').setAttribute("aria-pressed", /(^| )contrast( |$)/.test(classes) ? "true" : "false");
        }
        if (submitter.disabled) {
          var other = form.querySelector(submitter.value === "bigger" ? '[value="smaller"]' : '[value="bigger"]');
          if (other) { other.focus(); }
        }
      })
      .catch(plain);
  });
  document.addEventListener("DOMContentLoaded", function () { setUpReadAloud(document); });
})();
