/* The player, progressive enhancement of <audio controls> (episode, home and embed pages):
   play/pause, back 15 s, forward 30 s, speed, the current chapter and chapter marks, "copy
   link at this moment", low-data audio, the position remembered per episode on this device, lock-screen
   controls (Media Session), and chapter and transcript timestamps that seek. Without this
   script the page is complete: the audio element's own controls, plain chapter and cue links. */
(function () {
  "use strict";

  var player = document.getElementById("player");
  var box = player && player.closest(".player");
  if (!box) {
    return;
  }
  var SLACK = 0.1; // seconds: a seek lands on a frame boundary just before the asked time
  var TIME_LINK = /^#t=(\d+(?:\.\d+)?)$/;
  var KEY = "otc:position:" + box.getAttribute("data-slug");
  var controls = box.querySelector(".controls");
  var playButton = box.querySelector("[data-action=play]");
  var speed = box.querySelector("[data-action=speed]");
  var status = box.querySelector(".share-status");
  var nowChapter = box.querySelector(".now-chapter");
  var chapterMarks = marks(box, ".chapter-mark[data-start]");

  function marks(root, selector) {
    return Array.prototype.slice
      .call(root.querySelectorAll(selector))
      .map(function (element) {
        return { element: element, start: parseFloat(element.getAttribute("data-start")) };
      })
      .filter(function (mark) { return isFinite(mark.start); })
      .sort(function (a, b) { return a.start - b.start; });
  }

  function at(list, time) {
    var found = null;
    for (var i = 0; i < list.length && list[i].start <= time + SLACK; i++) {
      found = list[i];
    }
    return found;
  }

  function tracker(list, changed) {
    var current = null;
    return function (time) {
      var found = at(list, time);
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
      if (changed) {
        changed(found);
      }
    };
  }

  // Only a chapter change is announced (the live region); the time itself never is.
  function announceChapter(mark) {
    if (!nowChapter || !mark) {
      return;
    }
    var number = chapterMarks.indexOf(mark) + 1;
    nowChapter.textContent = "Chapter " + number + " of " + chapterMarks.length + ": " +
      mark.element.getAttribute("data-title");
  }

  var trackers = [
    tracker(marks(document, "#transcript .cue[data-start]")),
    tracker(marks(document, "#chapters li[data-start]")),
    tracker(chapterMarks, announceChapter),
  ];

  function update() {
    trackers.forEach(function (track) { track(player.currentTime); });
  }

  function play() {
    var playing = player.play();
    if (playing && playing.catch) {
      playing.catch(function () {}); // the browser refused: the controls remain
    }
  }

  function whenReady(go) {
    if (player.readyState >= 1) { // HAVE_METADATA: the player can seek now
      go();
      return;
    }
    player.addEventListener("loadedmetadata", go, { once: true });
    if (player.networkState !== 2) { // not already loading (e.g. preload="none")
      player.load();
    }
  }

  function seek(seconds, andPlay) {
    whenReady(function () {
      var end = isFinite(player.duration) ? player.duration : Infinity;
      player.currentTime = Math.max(0, Math.min(seconds, end));
      update();
      if (andPlay) {
        play();
      }
    });
  }

  // --- the buttons ----------------------------------------------------------------------------
  controls.hidden = false;
  box.classList.add("is-enhanced");

  function showState() {
    var paused = player.paused;
    playButton.querySelector(".label").textContent = paused ? "Play" : "Pause";
    playButton.querySelector(".icon").textContent = paused ? "▶" : "❚❚";
  }

  controls.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) {
      return;
    }
    var skip = parseFloat(button.getAttribute("data-skip"));
    if (isFinite(skip)) {
      whenReady(function () { seek(player.currentTime + skip, false); });
    } else if (button.getAttribute("data-action") === "play") {
      if (player.paused) {
        play();
      } else {
        player.pause();
      }
    } else if (button.getAttribute("data-action") === "share") {
      share();
    } else if (button.getAttribute("data-action") === "low-data") {
      useLowData(button.getAttribute("aria-pressed") !== "true", true);
    }
  });

  speed.addEventListener("change", function () {
    player.playbackRate = parseFloat(speed.value) || 1;
    try {
      localStorage.setItem("otc:speed", speed.value);
    } catch (ignored) { /* storage refused (private mode, a third-party frame) */ }
  });
  player.addEventListener("ratechange", function () {
    var rate = String(player.playbackRate);
    if (speed.querySelector("option[value='" + rate + "']")) {
      speed.value = rate;
    }
  });

  // --- chapter marks on a strip as long as the episode -----------------------------------------
  var bar = box.querySelector(".chapter-bar");
  function placeMarks() {
    // the page knows the length before the audio does (preload="none" loads nothing)
    var length = isFinite(player.duration) && player.duration > 0 ? player.duration :
      parseFloat(box.getAttribute("data-duration"));
    if (!bar || !(length > 0)) {
      return;
    }
    chapterMarks.forEach(function (mark, index) {
      var next = chapterMarks[index + 1];
      var end = Math.min(next ? next.start : length, length);
      mark.element.style.left = (100 * Math.min(mark.start, length) / length) + "%";
      mark.element.style.width = (100 * Math.max(end - mark.start, 0) / length) + "%";
    });
  }
  if (bar) {
    bar.hidden = false;
    bar.addEventListener("click", function (event) {
      var mark = event.target.closest(".chapter-mark");
      if (mark) {
        seek(parseFloat(mark.getAttribute("data-start")), true);
      }
    });
    player.addEventListener("durationchange", placeMarks);
    placeMarks();
    update(); // the first chapter is shown at once, then the region announces only changes
    nowChapter.setAttribute("aria-live", "polite");
  }

  // --- "copy link at this moment" ---------------------------------------------------------------
  function momentLink() {
    return box.getAttribute("data-share").split("#")[0] + "#t=" + Math.floor(player.currentTime);
  }

  function share() {
    var link = momentLink();
    status.textContent = "";
    var shown = document.createElement("a");
    shown.href = link;
    shown.className = "moment-link";
    shown.textContent = link;
    function say(text) {
      status.textContent = text + " ";
      status.appendChild(shown);
    }
    if (!navigator.clipboard) {
      say("Copy this link:");
      return;
    }
    navigator.clipboard.writeText(link).then(
      function () { say("Link copied:"); },
      function () { say("Copy this link:"); }
    );
  }

  // --- the position, remembered per episode on this device -----------------------------------
  var saved = 0;
  function remember() {
    try {
      if (player.ended) {
        localStorage.removeItem(KEY);
      } else if (player.currentTime > 0) {
        localStorage.setItem(KEY, String(Math.floor(player.currentTime)));
      }
    } catch (ignored) { /* storage refused: nothing is remembered */ }
  }

  function stored(key) {
    try {
      return localStorage.getItem(key);
    } catch (ignored) {
      return null;
    }
  }

  player.addEventListener("timeupdate", function () {
    if (Math.abs(player.currentTime - saved) >= 5) { // at most every five seconds of audio
      saved = player.currentTime;
      remember();
    }
  });
  player.addEventListener("pause", remember);
  player.addEventListener("ended", remember);
  window.addEventListener("pagehide", remember);

  var rate = parseFloat(stored("otc:speed"));
  if (isFinite(rate) && speed.querySelector("option[value='" + rate + "']")) {
    speed.value = String(rate);
    player.playbackRate = rate;
    player.defaultPlaybackRate = rate;
  }

  // --- lock-screen and headset controls ---------------------------------------------------------
  function mediaSession() {
    if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") {
      return;
    }
    var session = navigator.mediaSession;
    var artwork = box.getAttribute("data-artwork");
    session.metadata = new MediaMetadata({
      title: box.getAttribute("data-title"),
      artist: box.getAttribute("data-show"),
      album: box.getAttribute("data-album"),
      artwork: artwork ? [{ src: artwork, sizes: "1400x1400" }] : [],
    });
    var actions = {
      play: play,
      pause: function () { player.pause(); },
      seekbackward: function (details) { seek(player.currentTime - ((details && details.seekOffset) || 15)); },
      seekforward: function (details) { seek(player.currentTime + ((details && details.seekOffset) || 30)); },
      seekto: function (details) { seek(details.seekTime); },
      previoustrack: chapterMarks.length ? function () { chapterStep(-1); } : null,
      nexttrack: chapterMarks.length ? function () { chapterStep(1); } : null,
    };
    Object.keys(actions).forEach(function (action) {
      try {
        session.setActionHandler(action, actions[action]);
      } catch (ignored) { /* an action this browser does not know */ }
    });
  }

  function chapterStep(step) {
    var current = at(chapterMarks, player.currentTime);
    var index = current ? chapterMarks.indexOf(current) : -1;
    // "previous" restarts the chapter unless it began less than three seconds ago
    if (step < 0 && current && player.currentTime - current.start > 3) {
      step = 0;
    }
    var target = chapterMarks[Math.max(0, Math.min(chapterMarks.length - 1, index + step))];
    seek(target.start, !player.paused);
  }

  function positionState() {
    var session = navigator.mediaSession;
    if (session && session.setPositionState && isFinite(player.duration)) {
      try {
        session.setPositionState({
          duration: player.duration,
          playbackRate: player.playbackRate,
          position: Math.min(player.currentTime, player.duration),
        });
      } catch (ignored) { /* an inconsistent state mid-seek: the next update corrects it */ }
    }
  }

  mediaSession();
  ["play", "pause"].forEach(function (name) { player.addEventListener(name, showState); });
  ["durationchange", "ratechange", "seeked"].forEach(function (name) {
    player.addEventListener(name, positionState);
  });
  showState();

  // --- chapter and transcript timestamps on the page seek the player --------------------------
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

  function seekToHash(andPlay) {
    var match = TIME_LINK.exec(window.location.hash);
    if (match) {
      seek(parseFloat(match[1]), andPlay);
    }
    return Boolean(match);
  }

  // --- low-data audio: the small mono copy, for metered connections; the choice is kept ---------
  var lowButton = box.querySelector("[data-action=low-data]");
  function useLowData(on, chosen) {
    var source = box.getAttribute(on ? "data-low" : "data-full");
    lowButton.setAttribute("aria-pressed", String(on));
    if (chosen) {
      try {
        localStorage.setItem("otc:low-data", on ? "1" : "");
      } catch (ignored) { /* storage refused */ }
    }
    if (player.currentSrc === new URL(source, window.location.href).href) {
      return;
    }
    var time = player.currentTime;
    var playing = !player.paused;
    player.defaultPlaybackRate = player.playbackRate; // a new source would reset the speed
    player.src = source; // the src attribute wins over the <source> children
    if (time > 0 || playing) {
      seek(time, playing);
    }
  }
  if (lowButton && stored("otc:low-data") === "1") {
    useLowData(true, false);
  }

  player.addEventListener("timeupdate", update);
  player.addEventListener("seeked", update);
  window.addEventListener("hashchange", function () { seekToHash(true); });
  // A shared link such as …/episodes/x/#t=95 opens at that moment; else where this device left off.
  if (!seekToHash(false)) {
    var resume = parseFloat(stored(KEY));
    if (isFinite(resume) && resume > 0) {
      seek(resume, false);
    }
  }
})();
