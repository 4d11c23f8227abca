"""The one place that writes benchmarks/RESULTS.md: each script owns a section
between its own begin/end markers and replaces only that section."""

import os
import re

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")


def write_section(begin, end, body, heading):
    """Replaces the text between `begin` and `end` in RESULTS.md with `body`;
    appends it under `## heading` when the markers are not there yet."""
    current = open(RESULTS).read() if os.path.exists(RESULTS) else "# Benchmarks\n"
    block = f"{begin}\n{body}\n{end}"
    if begin in current:
        current = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, current,
                         flags=re.S)
    else:
        current += f"\n## {heading}\n\n{block}\n"
    with open(RESULTS, "w") as f:
        f.write(current)
