"""Browser tests: the app served on 127.0.0.1, driven by Debian's headless Chromium.

Being a package keeps these module names (e2e.test_*) apart from tests/test_*.py.
Fixtures and the accessibility check live in conftest.py.
"""
