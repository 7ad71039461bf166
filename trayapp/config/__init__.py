"""Configuration, pure: a TOML mapping -> a validated :class:`~trayapp.config.schema.Config`.

* :mod:`.schema`: the ``Config`` dataclasses, ``parse_text``, the presets;
* :mod:`.reader`: the typed reader and checks every section uses;
* :mod:`.hooks`, :mod:`.probes`: the ``[[hooks]]`` and ``probe`` sections;
* :mod:`.tomledit`: in-place edits that keep the user's comments (tomlkit).

Reading and writing the file is the edges' job (:mod:`trayapp.edges.configfile`).
"""
