"""CPU and memory of one adapter poll on a document at the body cap (4 MiB).

``python -m tests.faults.bounds KIND SHAPE`` parses one document built from a
real capture of that kind, grown to just under the cap, in a fresh
process, and prints ``{"cpu_s": ..., "peak_mb": ..., "level": ..., "summary": ...}``:
``cpu_s`` is the process CPU time of the parse, ``peak_mb`` the growth of
peak RSS during it (the document itself is built before). Shapes:

* ``many``: the capture's largest list of items repeated (thousands of
  incidents, components or entries);
* ``affected`` (Statuspage formats, Google Cloud): one incident naming tens of
  thousands of distinct affected components (products);
* ``markup``: every text field full of unclosed tags (``<a `` repeated: the
  stdlib HTML parser is quadratic on it), escapes and invisible characters;
* ``lines`` (RSS only): one entry whose text is tens of thousands of dated
  update lines;
* ``tiny`` (RSS only): a million empty elements.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trayapp import sources
from trayapp.sources import NeedDocuments

CAP = 4 * 1024 * 1024
BASE = "https://status.example.com"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAPTURE = {
    "statuspage": "statuspage/anthropic-summary-3.json",
    "incidentio": "incidentio/openai-summary-compat-1.json",
    "checkly": "checkly/mistral-uptime-1.json",
    "google-cloud": "google-cloud/gcp-incidents-1.json",
    "instatus": "instatus/perplexity-summary-1.json",
    "betterstack": "betterstack/together-index-1.json",
    "datadog": "datadog-statuspage/openrouter-page-1.json",
    "flashduty": "flashduty/deepseek-summary-active-1.json",
    "rootly": "rootly/doc-status-major.json",
    "auto": "statuspage/anthropic-summary-3.json",
}
EXTRA = {"components": "instatus/perplexity-v2-components-1.json",
         "incidents.json": "incidentio/perplexity-incidents-compat-1.json"}
TEXT_KEYS = frozenset({"name", "body", "description", "title", "message", "summary", "text",
                       "external_desc", "public_name", "current_title"})
HOSTILE = "<a <b title='x " + "\x1b]8;;https://evil.example\x07\u202e\U000e0041\u2028\u00ad"


def _largest_list(value: Any) -> list[Any] | None:
    best: list[Any] | None = None
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            if node and isinstance(node[0], dict) and (best is None or len(node) > len(best)):
                best = node
            stack.extend(node)
    return best


def _text_fields(value: Any) -> list[tuple[dict[str, Any], str]]:
    out: list[tuple[dict[str, Any], str]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            out += [(node, k) for k, v in node.items() if k in TEXT_KEYS and isinstance(v, str)]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def grow_json(capture: bytes, shape: str, cap: int = CAP) -> bytes:
    """A real JSON document grown to just under ``cap`` bytes."""
    doc = json.loads(capture)
    size = len(json.dumps(doc).encode())
    if shape == "affected" and isinstance(doc, list):
        # Google Cloud: one open incident naming tens of thousands of distinct products.
        incident = dict(doc[0])
        incident.pop("end", None)
        doc[:] = [incident]
        size = len(json.dumps(doc).encode())
        one = len(json.dumps({"id": "p0000000", "title": "Product number 0000000"})) + 2
        n = (cap - size - 8192) // one
        incident["affected_products"] = [
            {"id": f"p{i:07d}", "title": f"Product number {i:07d}"} for i in range(n)]
    elif shape == "affected":
        # One incident whose update names tens of thousands of distinct components.
        incident = {"id": "big", "name": "Outage", "status": "investigating",
                    "impact": "major", "created_at": "2026-03-01T11:00:00Z",
                    "updated_at": "2026-03-01T11:05:00Z", "components": [],
                    "incident_updates": [{"id": "u", "status": "investigating", "body": "x",
                                          "created_at": "2026-03-01T11:00:00Z",
                                          "affected_components": []}]}
        doc["incidents"] = [incident]
        affected = incident["incident_updates"][0]["affected_components"]
        n = (cap - size - 8192) // 64
        affected.extend({"code": f"c{i:07d}", "name": f"Component number {i:07d}"}
                        for i in range(n))
    elif shape == "many":
        items = _largest_list(doc)
        if items:
            one = len(json.dumps(items[0]).encode()) + 2
            items.extend([items[0]] * max((cap - size - 4096) // one, 0))
    else:
        fields = _text_fields(doc)
        room = (cap - size - 4096) // max(len(fields), 1)
        piece = json.dumps(HOSTILE)
        reps = max(room // (len(piece.encode()) - 2), 1)
        for node, key in fields:
            node[key] = HOSTILE * reps
    body = json.dumps(doc).encode()
    assert len(body) <= cap, len(body)
    return body


def rss_document(shape: str, cap: int = CAP) -> bytes:
    head = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            b"<link>https://status.example.com</link>")
    tail = b"</channel></rss>"
    entry = (b"<item><title>Elevated errors</title><pubDate>Sun, 01 Mar 2026 11:00:00 +0000"
             b"</pubDate><description>")
    end = b"</description></item>"
    room = cap - len(head) - len(tail) - 4096
    if shape == "many":
        one = (entry + b"&lt;p&gt;&lt;small&gt;Mar 1, 11:00 UTC&lt;/small&gt;&lt;br&gt;"
               b"&lt;strong&gt;Investigating&lt;/strong&gt; - partial outage&lt;/p&gt;" + end)
        body = one * (room // len(one))
    elif shape == "markup":
        filler = "&lt;a &lt;b title='x \u202e\U000e0041\u2028".encode()
        body = entry + b"Status: investigating " + filler * (room // len(filler)) + end
    elif shape == "lines":
        line = b"Mar 1, 11:00 UTC\nInvestigating - still looking\n"
        body = entry + line * (room // len(line)) + end
    elif shape == "tiny":
        body = b"<x/>" * (room // 4)
    else:
        raise ValueError(shape)
    doc = head + body + tail
    assert len(doc) <= cap
    return doc


def document(kind: str, shape: str) -> bytes:
    if kind == "rss":
        return rss_document(shape)
    return grow_json((FIXTURES / CAPTURE[kind]).read_bytes(), shape)


def poll(kind: str, body: bytes) -> Any:
    adapter = sources.get(kind)
    assert adapter is not None
    docs: dict[str, bytes | None] = {adapter.entry(BASE): body}
    for _ in range(4):
        result = sources.run_parse(adapter, BASE, docs, NOW)
        if not isinstance(result, NeedDocuments):
            return result
        for url in result.urls:
            extra = next((f for k, f in EXTRA.items() if url.endswith(k)), None)
            docs[url] = grow_json((FIXTURES / extra).read_bytes(), "many") if extra else None
    return result


def measure(kind: str, shape: str, path: Path) -> None:
    """In a process that has done nothing but read the document: the parse's cost."""
    body = path.read_bytes()
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    report = poll(kind, body)
    cpu = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"kind": kind, "shape": shape, "bytes": len(body),
                      "cpu_s": round(cpu, 3), "peak_mb": round(peak / 1024, 1),
                      "level": str(getattr(report, "level", "")),
                      "summary": getattr(report, "summary", "")[:80]}))


def main(kind: str, shape: str) -> None:
    """Build the document here, measure its parse in a fresh process (building it leaves
    a high-water mark of its own)."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc"
        path.write_bytes(document(kind, shape))
        subprocess.run([sys.executable, "-m", "tests.faults.bounds", "--measure", kind, shape,
                        str(path)], check=True)


if __name__ == "__main__":
    if sys.argv[1] == "--measure":
        measure(sys.argv[2], sys.argv[3], Path(sys.argv[4]))
    else:
        main(sys.argv[1], sys.argv[2])
