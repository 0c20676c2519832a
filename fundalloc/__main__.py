"""``python -m fundalloc`` is the command line."""

from fundalloc.cli import main

raise SystemExit(main())
