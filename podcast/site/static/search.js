// Search on a static copy of the site (podcast build): no server answers /search/?q= there, so
// the Pagefind index the build wrote (OUT/pagefind/) answers it in the browser, in every
// language the site's pages are in. The live site answers on the server and this does nothing.
"use strict";
(function () {
  var PER_PAGE = 20; // as the server's pages
  var form = document.querySelector(".search-page-form");
  var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  if (!form || !query || document.getElementById("results-heading")) return;
  if (document.querySelector(".search-status")) return; // the server is preparing its index
  form.querySelector("input[name=q]").value = query; // the static page was written without it
  var bundle = form.dataset.staticIndex;
  var siteRoot = form.dataset.siteRoot;
  var status = document.createElement("p");
  status.className = "search-status";
  status.setAttribute("role", "status");
  status.textContent = "Searching…";
  form.after(status);

  function cannotSearch() {
    status.className = "static-note";
    status.textContent = "This copy of the site cannot search. Browse the episodes by season " +
      "from the home page, or search for the show in your podcast app.";
  }

  // Every language index but the page's own, which Pagefind loads first (its `findIndex`).
  function otherLanguages(entry) {
    var page = (document.documentElement.lang || "unknown").toLowerCase();
    var names = Object.keys(entry.languages || {});
    var own = names.indexOf(page) >= 0 ? page :
      names.indexOf(page.split("-")[0]) >= 0 ? page.split("-")[0] :
      names.sort(function (a, b) { return entry.languages[b].page_count - entry.languages[a].page_count; })[0];
    return names.filter(function (name) { return name !== own; });
  }

  // Pagefind's excerpt is HTML with <mark>: keep only its text and the marks.
  function excerpt(html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = html;
    var paragraph = document.createElement("p");
    paragraph.className = "place";
    parsed.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        paragraph.append(mark);
      } else {
        paragraph.append(document.createTextNode(node.textContent));
      }
    });
    return paragraph;
  }

  function resultItem(data, number) {
    var item = document.createElement("li");
    item.className = "result";
    var article = document.createElement("article");
    var id = "result-" + number;
    article.setAttribute("aria-labelledby", id);
    var heading = document.createElement("h3");
    heading.id = id;
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    var language = data.meta && data.meta.language; // templates: data-pagefind-meta on <html>
    if (language && language !== document.documentElement.lang) link.lang = language;
    heading.append(link);
    article.append(heading, excerpt(data.excerpt || ""));
    item.append(article);
    return item;
  }

  function show(results) {
    var section = document.createElement("section");
    section.setAttribute("aria-labelledby", "results-heading");
    var heading = document.createElement("h2");
    heading.id = "results-heading";
    var count = results.length;
    heading.textContent = count ?
      count + " episode" + (count === 1 ? "" : "s") + " for “" + query + "”" :
      "No episodes for “" + query + "”";
    section.append(heading);
    if (!count) {
      var hint = document.createElement("p");
      hint.textContent = "Try fewer or different words. Every word you type must appear in the episode.";
      section.append(hint);
    }
    var list = document.createElement("ol");
    list.className = "results";
    section.append(list);
    var more = document.createElement("button");
    more.type = "button";
    more.textContent = "More results";
    var shown = 0;
    function page() {
      var chosen = results.slice(shown, shown + PER_PAGE);
      return Promise.all(chosen.map(function (r) { return r.data(); })).then(function (all) {
        all.forEach(function (data) { shown += 1; list.append(resultItem(data, shown)); });
        more.hidden = shown >= results.length;
      });
    }
    more.addEventListener("click", function () {
      var first = shown;
      page().then(function () {
        var next = list.children[first];
        if (next) next.querySelector("a").focus();
      });
    });
    section.append(more);
    return page().then(function () {
      status.textContent = heading.textContent;
      status.className = "search-status visually-hidden";
      status.after(section);
    });
  }

  import(bundle + "pagefind.js").then(function (pagefind) {
    return pagefind.options({ baseUrl: siteRoot }).then(function () {
      return fetch(bundle + "pagefind-entry.json");
    }).then(function (response) {
      return response.json();
    }).then(function (entry) {
      // The same bundle once more per language; spelt as an absolute URL, since Pagefind
      // skips a merge of the very path its primary index was loaded from.
      var absolute = new URL(bundle, window.location.href).href;
      return Promise.all(otherLanguages(entry).map(function (language) {
        return pagefind.mergeIndex(absolute, { language: language, baseUrl: siteRoot });
      }));
    }).then(function () {
      return pagefind.search(query);
    }).then(function (found) {
      return show(found.results);
    });
  }).catch(cannotSearch);
})();
