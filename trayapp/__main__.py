"""``python -m trayapp`` does what the ``trayapp`` command does."""

from trayapp.cli import main

raise SystemExit(main())
