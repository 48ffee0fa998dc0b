"""The port contract suites: one pytest module per port, parametrized over every adapter the plugin manager knows.

Run them with ``python -m pytest --pyargs daedalus.testing`` after installing the plugin under test.
"""
