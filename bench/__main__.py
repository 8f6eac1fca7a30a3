"""`python -m bench [--quick]`: the whole suite, see bench/README.md."""

from bench.run import main

main()
