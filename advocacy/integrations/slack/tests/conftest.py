from advocacy.integrations.slack.tests.fake_slack import fake_slack  # noqa: F401 (a fixture)
