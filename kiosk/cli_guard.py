"""The last resort of every kiosk-side command: a person sees one line, never a traceback.

Each command handles the failures it expects (bad configuration, a kiosk not enrolled, an
unreachable centre) with its own message and exit code. Anything else is a bug; the person
at the terminal still gets one line saying so, and ``ANJUNGAN_DEBUG=1`` brings the traceback
back for whoever fixes it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

DEBUG_ENV = "ANJUNGAN_DEBUG"
EXIT_BUG = 1
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports it


def run_guarded(
    prog: str, handler: Callable[[argparse.Namespace], int], args: argparse.Namespace
) -> int:
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as err:
        if os.environ.get(DEBUG_ENV):
            raise
        sys.stderr.write(
            f"{prog}: unexpected error ({type(err).__name__}): {err}. This is a bug: please "
            f"report it with the command you ran ({DEBUG_ENV}=1 shows the details).\n"
        )
        return EXIT_BUG
