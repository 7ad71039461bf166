"""One thin module per outside thing: the network (:mod:`.http`, :mod:`.netdeadline`),
files and state (:mod:`.paths`, :mod:`.configfile`, :mod:`.state`, ...), the keyring,
logs, the single-instance lock, the desktop opener, autostart and the history store.
Exceptions from the outside world are translated here, once."""
