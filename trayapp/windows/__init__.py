"""The Tk windows, each run as its own process: details (and its history strips),
About and Preferences. Never imported by the tray process itself."""
