"""`python -m sidecar.cli`: the same command as `sidecar`."""
from sidecar.cli import main

main()
