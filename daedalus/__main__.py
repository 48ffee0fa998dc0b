"""Allows ``python -m daedalus``."""

from daedalus.cli import main

if __name__ == "__main__":
    main()
