"""``python -m symact`` runs the command line."""

from symact.cli import main

raise SystemExit(main())
