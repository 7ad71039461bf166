"""The tray: icon, tooltip, menu, details window and notifications.

Pure parts (``tooltip``, ``menu``, ``policy``, ``details_text``) never import
pystray, Pillow, plyer or tkinter; the thin edges (``backend``, ``app``,
``notifier``, ``details``, ``opener``) import them lazily. ``trayapp status``
and ``trayapp watch`` never import this package.
"""
