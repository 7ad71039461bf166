"""The command line. :mod:`.main` is the composition root (``trayapp``'s entry point);
:mod:`.quick` is the prompt's fast path and must stay free of the rest."""
