"""``python -m solver``: the patrol-plan command line."""

from solver.cli import main

raise SystemExit(main())
