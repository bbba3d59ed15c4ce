pytest_plugins = ["tests.browser", "tests.database", "tests.tiktok_emulator.pytest_plugin"]
