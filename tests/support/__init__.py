"""What the tests share: the server launcher, the test clock, scratch shows and output checks.

pytest puts tests/ on sys.path (rootdir "prepend" import mode), so tests import this package as
`support`; the benchmarks, run as scripts, put tests/ on sys.path themselves.
"""
