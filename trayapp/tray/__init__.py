"""The tray: icon, tooltip, menu, notifications, and starting the windows.

Pure parts (``tooltip``, ``menu``) never import pystray, Pillow, plyer or
tkinter; the thin edges (``backend``, ``app``, ``notifier``) import them
lazily. The windows (details, About, Preferences) live in
:mod:`trayapp.windows` and run as their own processes. ``trayapp status`` and
``trayapp watch`` never import this package.
"""
