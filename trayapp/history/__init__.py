"""History and uptime: what happened while you were away (issue 14).

* :mod:`.uptime`: the arithmetic, pure (spans in, percentages out, ``now`` passed in).
* :mod:`.record`: one cycle's :class:`~trayapp.monitor.StepResult` -> what is kept, pure.
* :mod:`.store`: the SQLite file, the only module that touches ``sqlite3``.
* :mod:`.report`: the store's rows -> per-service uptimes, changes, incidents, lead times.
* :mod:`.render`: ``trayapp history``'s text, JSON and CSV.

Nothing here is imported by the terminal's fast paths; ``sqlite3`` is imported by
:mod:`.store` alone, when a store is first opened.
"""
