"""The one place that writes benchmarks/RESULTS.md: each script owns a section
between its own begin/end markers and replaces only that section."""

import os
import re

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")


def write_section(begin, end, body, heading, after=None):
    """Replaces the text between `begin` and `end` in RESULTS.md with `body`;
    when the markers are not there yet, adds it under `## heading`: before the
    next `## ` heading that follows the line holding `after` (another
    section's end marker), else at the end of the file."""
    current = open(RESULTS).read() if os.path.exists(RESULTS) else "# Benchmarks\n"
    block = f"{begin}\n{body}\n{end}"
    if begin in current:
        current = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, current,
                         flags=re.S)
    else:
        section = f"## {heading}\n\n{block}\n"
        place = current.find("\n## ", current.find(after)) if after and after in current else -1
        if place < 0:
            current += f"\n{section}"
        else:
            current = f"{current[:place + 1]}{section}\n{current[place + 1:]}"
    with open(RESULTS, "w") as f:
        f.write(current)
