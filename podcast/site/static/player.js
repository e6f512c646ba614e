/* Episode pages, progressive enhancement: chapter and transcript timestamps seek the player,
   and the chapter and transcript cue being heard are marked (class is-current, aria-current).
   Without this script the page is complete: the chapter list and transcript are plain HTML. */
(function () {
  "use strict";

  var player = document.getElementById("player");
  if (!player) {
    return;
  }
  var SLACK = 0.1; // seconds: a seek lands on a frame boundary just before the asked time
  var TIME_LINK = /^#t=(\d+(?:\.\d+)?)$/;

  function marks(selector) {
    return Array.prototype.slice
      .call(document.querySelectorAll(selector))
      .map(function (element) {
        return { element: element, start: parseFloat(element.getAttribute("data-start")) };
      })
      .filter(function (mark) { return isFinite(mark.start); })
      .sort(function (a, b) { return a.start - b.start; });
  }

  function tracker(list) {
    var current = null;
    return function (time) {
      var found = null;
      for (var i = 0; i < list.length && list[i].start <= time + SLACK; i++) {
        found = list[i];
      }
      if (found === current) {
        return;
      }
      if (current) {
        current.element.classList.remove("is-current");
        current.element.removeAttribute("aria-current");
      }
      if (found) {
        found.element.classList.add("is-current");
        found.element.setAttribute("aria-current", "true");
      }
      current = found;
    };
  }

  var trackers = [
    tracker(marks("#transcript .cue[data-start]")),
    tracker(marks("#chapters li[data-start]")),
  ];

  function update() {
    trackers.forEach(function (track) { track(player.currentTime); });
  }

  function seek(seconds, play) {
    function go() {
      player.currentTime = seconds;
      update();
      if (play) {
        var playing = player.play();
        if (playing && playing.catch) {
          playing.catch(function () {}); // the browser refused autoplay: the controls remain
        }
      }
    }
    if (player.readyState >= 1) { // HAVE_METADATA: the player can seek now
      go();
      return;
    }
    player.addEventListener("loadedmetadata", go, { once: true });
    if (player.networkState !== 2) { // not already loading (e.g. preload="none")
      player.load();
    }
  }

  document.addEventListener("click", function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return; // let "open in new tab" and friends behave as links
    }
    var link = event.target.closest && event.target.closest("a.chapter-link, a.cue-time");
    var holder = link && link.closest("[data-start]");
    var seconds = holder ? parseFloat(holder.getAttribute("data-start")) : NaN;
    if (!isFinite(seconds)) {
      return;
    }
    event.preventDefault();
    if (window.history && history.replaceState) {
      history.replaceState(null, "", "#t=" + holder.getAttribute("data-start"));
    }
    seek(seconds, true);
  });

  function seekToHash(play) {
    var match = TIME_LINK.exec(window.location.hash);
    if (match) {
      seek(parseFloat(match[1]), play);
    }
  }

  player.addEventListener("timeupdate", update);
  player.addEventListener("seeked", update);
  window.addEventListener("hashchange", function () { seekToHash(true); });
  seekToHash(false); // a shared link such as …/episodes/x/#t=95 opens at that moment
})();
