"""`python -m bench.launch REPORT -- COMMAND...`: run COMMAND, write its usage to REPORT.

On Linux a child's peak RSS (ru_maxrss) starts from its parent's peak at fork time and
survives exec. A benchmark parent that once held a lot of memory (generating the data
files in process takes 1.7 GB at 10k runs) would so inflate the peak of every step
measured after it. This launcher, freshly started and small, forks the measured command
itself: the peak it reports is the command's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def main() -> None:
    report, separator, *command = sys.argv[1:]
    if separator != "--" or not command:
        raise SystemExit("usage: python -m bench.launch REPORT -- COMMAND...")
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    exit_code = os.waitstatus_to_exitcode(status)
    Path(report).write_text(
        json.dumps(
            {
                "exit_code": exit_code,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                # Kilobytes on Linux.
                "peak_rss_mb": usage.ru_maxrss / 1024,
            }
        )
    )
    sys.exit(exit_code)


if __name__ == "__main__":
    main()
