"""One self-contained HTML report (inline CSS and pygal's SVG charts) to attach to an email.

It loads nothing from anywhere: pygal is told to link no JavaScript, and its SVG is inlined.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path
from typing import Any

import pygal
from pygal.style import Style

from podcast.errors import PodcastError
from podcast.files import write_atomic
from podcast.stats.report import SPANS, Report, methodology, span_text, summary

# pygal appends a finder for its map plugins to sys.meta_path that lacks find_spec, so every
# failed import after it (optional ones, in any library) warns; no map plugin is used here.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="white",
    plot_background="white",
    font_family="system-ui, sans-serif",
    colors=("#1f5f8b", "#c2571a", "#2e8540", "#8a3ffc", "#b8860b", "#a2191f", "#007d79"),
)
CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}
td,th{padding:.25rem .6rem;border-bottom:1px solid #ddd}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.d{white-space:nowrap}
figure{margin:1rem 0}
pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}small{color:#555}
"""
MOST_EPISODES = 8  # lines on the time chart; the rest are summed as "Other episodes"


def render(report: Report) -> str:
    """The report as one HTML document."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Downloads: {escape(report['show'])}</title><style>{CSS}</style></head><body>",
        f"<h1>Downloads: {escape(report['show'])}</h1><p>{escape(summary(report))}</p>",
        _episodes(report),
        _figure(_over_time(report), "Downloads per day, by episode"),
        _figure(_apps(report), "Downloads by app"),
        _days(report),
        "<h2>Method</h2><pre>" + escape(methodology(report)) + "</pre>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write(report: Report, path: Path) -> None:
    """Write the HTML report atomically."""
    try:
        write_atomic(path, render(report).encode("utf-8"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PodcastError(
            f"{path}: cannot write the report ({reason}); check the folder"
        ) from None


def _episodes(report: Report) -> str:
    head = "<tr><th>Episode</th><th>Published</th><th class=n>Downloads</th>" + "".join(
        f"<th class=n>First {s} day{'s' if s > 1 else ''}</th>" for s in SPANS
    )
    rows = []
    for e in report["episodes"]:
        spans = "".join(f"<td class=n>{span_text(e, s)}</td>" for s in SPANS)
        rows.append(
            f"<tr><td>{escape(e['title'])}</td><td class=d>{e['published'][:10]}</td>"
            f"<td class=n>{e['downloads']}</td>{spans}</tr>"
        )
    note = (
        "<small>* the logs cover only part of the span since publication; "
        "– they cover none of it</small>"
    )
    return f"<h2>Episodes</h2><table>{head}</tr>{''.join(rows)}</table>{note}"


def _days(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{d['day']}</td><td class=n>{d['downloads']}</td>"
        f"<td class=n>{d['unique_listeners']}</td></tr>"
        for d in report["days"]
    )
    head = "<tr><th>Day (UTC)</th><th class=n>Downloads</th><th class=n>Unique listeners</th></tr>"
    return f"<h2>Days</h2><table>{head}{rows}</table>"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption><small>{escape(caption)}</small></figcaption></figure>"


def _chart(kind: Any, title: str) -> Any:
    return kind(
        js=[],
        disable_xml_declaration=True,
        style=STYLE,
        title=title,
        width=900,
        height=380,
        legend_at_bottom=True,
        x_label_rotation=30,
        show_minor_x_labels=False,
    )


def _over_time(report: Report) -> str:
    days = [d["day"] for d in report["days"]]
    chart = _chart(pygal.StackedBar, "Downloads per day")
    chart.x_labels = days
    chart.x_labels_major = days[:: max(1, len(days) // 10)]
    titles = {e["guid"]: e["title"] for e in report["episodes"]}
    per: dict[str, dict[str, int]] = {}
    for entry in report["episode_days"]:
        per.setdefault(entry["guid"], {})[entry["day"]] = entry["downloads"]
    ranked = sorted(per, key=lambda g: -sum(per[g].values()))
    for guid in ranked[:MOST_EPISODES]:
        chart.add(titles.get(guid, guid)[:40], [per[guid].get(d, 0) for d in days])
    rest = ranked[MOST_EPISODES:]
    if rest:
        chart.add("Other episodes", [sum(per[g].get(d, 0) for g in rest) for d in days])
    return str(chart.render(is_unicode=True))


def _apps(report: Report) -> str:
    chart = _chart(pygal.HorizontalBar, "Downloads by app")
    apps = report["apps"][:12][::-1]  # pygal draws the first label at the bottom
    chart.x_labels = [app["name"] for app in apps]
    chart.add("Downloads", [app["downloads"] for app in apps])
    chart.show_legend = False
    return str(chart.render(is_unicode=True))
