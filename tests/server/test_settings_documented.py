"""An operator finds every setting in the README's configuration table."""
from pathlib import Path

from server import config

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme():
    text = README.read_text()
    missing = [name for name in config.DEFAULTS if f"`{name}`" not in text]
    assert missing == []
    assert "`TTC_TEST_POSTGRES_URL`" in text
