"""One live poll of everything (``status``, ``pick`` and the MCP server without a fresh
snapshot), or of one service and its fallbacks."""

from __future__ import annotations

from trayapp.config import Config
from trayapp.domain.model import Snapshot


def poll_once(config: Config, only: str | None, *, record: bool = False) -> Snapshot:
    """One live poll of everything, or of ``only`` and its fallbacks (kept in the
    history with ``record``)."""
    from dataclasses import replace

    from trayapp.runtime.engine import Engine, make_client, wall_clock

    if only is not None:
        me = config.service(only)
        assert me is not None
        keep = {me.id, *me.fallbacks}
        config = replace(config, services=tuple(
            replace(s, role="watch" if s.id == me.id else "fallback")
            for s in config.services if s.id in keep))
    # One poll has no history: the probe's retry (after about a second) is the confirmation.
    config = replace(config, failure_threshold=1)

    client = make_client(config)
    try:
        # The pages' incident histories (read when due, kept in the state dir) and the
        # incidents this machine saw resolve: the expected duration of an open incident.
        from trayapp.edges.history_store import default_path
        from trayapp.edges.pastcache import FILE_NAME
        from trayapp.edges.paths import state_dir
        from trayapp.edges.reports import FILE_NAME as REPORTS
        result = Engine(config, client, past_path=state_dir() / FILE_NAME,
                        history_path=default_path(), reports_path=state_dir() / REPORTS,
                        ).cycle(wall_clock(), retry_probes=True)
    finally:
        client.close()
    if record:
        from trayapp.runtime.recorder import Recorder
        recorder = Recorder(config)
        recorder.record(result)
        recorder.close()
    return result.snapshot
