"""The details window's content as plain text (the tray's log, tests) or an escaped
HTML page (the fallback when Tk cannot open a window). Pure."""

from __future__ import annotations

import html

from trayapp.domain.text import safe_url
from trayapp.windows.details_text import Dashboard, IncidentView, Link, ServiceView
from trayapp.windows.details_words import Seg


def _segs(segs: tuple[Seg, ...]) -> str:
    return "".join(s.text for s in segs)


def _service_text(s: ServiceView) -> list[str]:
    out = [f"{s.name}: {s.headline}"]
    out += [f"  {s.expected}", f"  {s.expected_why}"] if s.expected else []
    out.append(f"  {s.reason}")
    if s.probe:
        out.append(f"  {s.probe}")
    if s.use_instead or s.use_instead_note:
        out.append("  Use instead: " + (", ".join(u.text for u in s.use_instead)
                                        or s.use_instead_note or ""))
    for inc in s.incidents:
        out.append(f"  Incident: {inc.title}")
        out.append(f"    {inc.meta}")
        for u in ((inc.latest,) if inc.latest else ()) + inc.older:
            out.append(f"    {u.when} {u.status}: {_segs(u.body)}".rstrip())
    out += [f"  {n}" for n in s.notes]
    return out


def dashboard_text(d: Dashboard) -> str:
    lines = [d.title, d.checked]
    lines += [x for x in (d.offline, d.paused) if x]
    for s in d.services:
        lines += _service_text(s)
    if d.others:
        lines.append("Fallbacks")
        lines += [f"  {o.name}: {o.state} - {o.summary}" for o in d.others]
    return "\n".join(lines)


def _a(link: Link | None) -> str:
    if link is None:
        return ""
    e = html.escape
    if link.url and safe_url(link.url):
        return f'<a href="{e(link.url, quote=True)}" rel="noreferrer">{e(link.text)}</a>'
    return e(link.text)


def _body(segs: tuple[Seg, ...]) -> str:
    return "".join(_a(Link(s.text, s.url)) for s in segs).replace("\n", "<br>")


def _incident(inc: IncidentView) -> list[str]:
    e = html.escape
    out = [f"<h4>{e(inc.title)}</h4>", f'<p class="m">{e(inc.meta)}</p>']
    for u in ((inc.latest,) if inc.latest else ()) + inc.older:
        out.append(f"<p><b>{e(u.when)} {e(u.status)}</b><br>{_body(u.body)}</p>")
    if inc.link:
        out.append(f"<p>{_a(inc.link)}</p>")
    return out


def to_html(d: Dashboard) -> str:
    """A standalone page; every string escaped, links only http(s)."""
    e = html.escape
    body = [f"<h1>{e(d.title)}</h1>", f'<p class="m">{e(d.checked)}</p>']
    body += [f"<p><b>{e(x)}</b></p>" for x in (d.offline, d.paused) if x]
    for s in d.services:
        body.append(f"<h2>{e(s.name)}: {e(s.headline)}</h2>")
        if s.expected:
            body += [f"<p>{e(s.expected)}</p>", f'<p class="m">{e(s.expected_why or "")}</p>']
        body.append(f"<p>{e(s.reason)}</p>")
        if s.probe:
            body.append(f'<p class="m">{e(s.probe)}</p>')
        if s.use_instead or s.use_instead_note:
            body.append("<p><b>Use instead:</b> " + (", ".join(_a(u) for u in s.use_instead)
                                                     or e(s.use_instead_note or "")) + "</p>")
        for inc in s.incidents:
            body += _incident(inc)
        body += [f'<p class="m">{e(n)}</p>' for n in s.notes]
        if s.page:
            body.append(f"<p>{_a(s.page)}</p>")
    if d.others:
        body.append("<h3>Fallbacks</h3>")
        body += [f"<p>{e(o.name)}: {e(o.state)} - {e(o.summary)} {_a(o.open)}</p>"
                 for o in d.others]
    return ("<!doctype html><html><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\"><style>.m{color:#555}</style>"
            f"<title>{e(d.title)}</title></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")
