"""`python -m nnrecipes` runs the `nnrecipes` command."""

import sys

from nnrecipes.cli import main

sys.exit(main())
