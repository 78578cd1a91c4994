"""Fixtures of the browser tests: each module gets its own demo server, all of
them share one headless Chromium."""

import pytest

from tests.server import CHROMIUM, CHROMIUM_ARGS, running_demo


@pytest.fixture(scope="module")
def base_url():
    with running_demo() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
