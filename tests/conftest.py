pytest_plugins = ["tests.browser", "tests.database"]
