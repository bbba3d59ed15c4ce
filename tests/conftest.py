pytest_plugins = ["tests.browser", "tests.database", "tests.live_server", "tests.tiktok_emulator.pytest_plugin",
                  "tests.vtex_emulator.pytest_plugin", "tests.ecwid_emulator.pytest_plugin"]
