"""The explorer's page in a real browser: Debian's headless chromium, driven by selenium.

Needs ``chromium`` and ``chromedriver`` (Debian's ``chromium`` and ``chromium-driver``
packages; ``.ci/run`` installs them). Without them the test is skipped, except under CI (the
``CI`` environment variable), where it must run. Selenium is given the system's driver, so it
downloads nothing. With ``EXPLORER_SCREENSHOTS=DIR`` the test saves the screenshots of
``docs/how-to/explorer.md`` into DIR.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from web_load import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    (CHROMIUM is None or DRIVER is None) and not os.environ.get("CI"),
    reason="chromium and chromedriver are not installed (bash .ci/run installs them; "
    "under CI this test must run)",
)
WAIT = 120  # seconds: a generous bound for a busy machine, not a timing


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert CHROMIUM and DRIVER, "chromium and chromedriver are required under CI"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1280,1800",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chr')}",
    ):
        options.add_argument(arg)  # fmt: skip
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, condition, message):
    return WebDriverWait(driver, WAIT).until(lambda d: condition(d), message)


def text(driver, element_id: str) -> str:
    return driver.find_element("id", element_id).text


def knob(driver, key: str):
    return driver.find_element("css selector", f'input[data-key="{key}"]')


def shoot(driver, name: str) -> None:
    folder = os.environ.get("EXPLORER_SCREENSHOTS")
    if folder:
        driver.save_screenshot(str(Path(folder) / name))


def test_change_an_assumption_run_and_see_the_figures_move(browser):
    with serving("--max-size", "0.2") as base:
        browser.get(f"{base}/?scenario=2014_guidelines&size=0.05")
        wait_for(browser, lambda d: text(d, "fig-granted") not in ("", "–"), "first run")
        before = text(browser, "fig-granted")
        assert text(browser, "fig-eligible") != before  # about two thirds granted
        wait_for(browser, lambda d: d.find_elements("css selector", "#published tbody tr"),
                 "published figures")  # fmt: skip
        roles = {e.text for e in browser.find_elements("css selector", "#published td")}
        assert {"fitted", "out of sample"} <= roles
        assert browser.find_elements("css selector", "#waves-chart svg rect.bar")
        assert browser.find_element("id", "by-race").is_displayed()

        rate = knob(browser, "grant.rate")
        rate.clear()
        rate.send_keys("1")
        browser.find_element("id", "compare").send_keys("the same scenario")
        browser.find_element("id", "run").click()
        wait_for(browser, lambda d: text(d, "fig-granted") != before, "the figure changes")
        assert text(browser, "fig-granted") == text(browser, "fig-eligible")
        wait_for(browser, lambda d: d.find_elements("id", "cmp-granted"), "the comparison")
        assert text(browser, "cmp-granted") == before
        assert "set=grant.rate%3D1" in browser.current_url  # the link reproduces the run
        link = browser.find_element("id", "permalink").get_attribute("href")
        assert "scenario=2014_guidelines" in link and "size=0.05" in link
        shoot(browser, "explorer.png")

        seed = browser.find_element("id", "seed")
        seed.clear()
        seed.send_keys("-1")
        browser.find_element("id", "run").click()
        wait_for(browser, lambda d: text(d, "error-seed"), "the seed's error")
        assert text(browser, "error-seed") == (
            "Invalid value for 'seed': -1 is not in the range x>=0."
        )
        seed.clear()
        rate.clear()
        rate.send_keys("2")
        browser.find_element("id", "run").click()
        wait_for(browser, lambda d: text(d, f"error-{rate.get_attribute('id')}"), "rate error")
        assert text(browser, f"error-{rate.get_attribute('id')}") == (
            "--set grant.rate: Input should be less than or equal to 1"
        )
        assert rate.get_attribute("aria-invalid") == "true"
        assert text(browser, "error-seed") == ""  # an error clears when its field is fixed
        shoot(browser, "explorer-error.png")
