// A certificate's link: "Chia sẻ" opens the phone's share sheet (Zalo, Messenger…) and "Sao chép
// liên kết" copies it, each shown only where the browser can do it; otherwise the page keeps its
// hint to copy the link by hand. Wording comes from the page, in the reader's language.
(function () {
  "use strict";
  var box = document.querySelector("[data-share-url]");
  if (!box) { return; }
  var url = new URL(box.getAttribute("data-share-url"), window.location.href).href;
  var shareButton = box.querySelector("[data-share]");
  var copyButton = box.querySelector("[data-copy]");
  var status = box.querySelector("[data-share-status]");
  var byHand = box.querySelector("[data-by-hand]");
  var canShare = typeof navigator.share === "function";
  var canCopy = !!(navigator.clipboard && typeof navigator.clipboard.writeText === "function");

  function say(name) {
    status.textContent = status.getAttribute(name);
  }

  function fallBack(name) {
    say(name);
    byHand.hidden = false;
  }

  if (canShare) {
    shareButton.hidden = false;
    shareButton.addEventListener("click", function () {
      navigator.share({
        title: box.getAttribute("data-share-title"),
        text: box.getAttribute("data-share-text"),
        url: url
      }).then(function () {
        say("data-shared");
      }, function (error) {
        // Closing the share sheet is a choice, not a failure.
        if (error && error.name === "AbortError") { return; }
        fallBack("data-share-failed");
      });
    });
  }
  if (canCopy) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", function () {
      navigator.clipboard.writeText(url).then(function () {
        say("data-copied");
      }, function () {
        fallBack("data-copy-failed");
      });
    });
  }
  if (canShare || canCopy) {
    byHand.hidden = true;
  }
})();
