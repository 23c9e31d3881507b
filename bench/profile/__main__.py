"""`python -m bench.profile`: see bench/profile/cli.py."""

import sys

from bench.profile.cli import main

sys.exit(main())
