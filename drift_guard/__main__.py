import sys

from drift_guard.cli import main

sys.exit(main())
