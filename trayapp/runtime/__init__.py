"""The running loop: poll -> parse -> decide -> record -> show, shared by ``watch``
and the tray (:mod:`.engine`), one poll cycle (:mod:`.poller`), hooks, the history
recorder, and checking a new status page (:mod:`.addpage`)."""
