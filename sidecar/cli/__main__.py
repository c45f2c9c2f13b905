"""`python -m sidecar.cli`: the same command as `sidecar`."""
from sidecar.cli import main

if __name__ == "__main__":  # pragma: no cover - run as a module only
    main()
