"""trayapp: can I rely on my AI tools right now, and if not, what should I use instead?"""

__version__ = "0.1.0"
