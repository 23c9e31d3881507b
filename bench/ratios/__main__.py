"""`python -m bench.ratios`: see bench/ratios/cli.py."""

import sys

from bench.ratios.cli import main

sys.exit(main())
