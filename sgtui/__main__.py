"""`python -m sgtui` runs the command line."""

from sgtui.cli import main

raise SystemExit(main())
