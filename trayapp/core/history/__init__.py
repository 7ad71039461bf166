"""History and uptime, the pure part: what one cycle leaves (:mod:`.record`), uptime
arithmetic (:mod:`.uptime`), the store's rows (:mod:`.rows`) and what is reported
(:mod:`.report`). The SQLite file is :mod:`trayapp.edges.history_store`."""
