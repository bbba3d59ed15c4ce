"""What the command line says to a new user: each problem once, what it did with a pasted URL, and
the store's TikTok state in plain words."""
from server.catalog import service
from tests.catalog.helpers import item
from tests.factories import make_store

CREATE = ["store", "create", "--name", "Loja", "--country", "BR", "--currency", "BRL", "--platform", "generic"]


def test_a_validation_error_is_printed_once(runner, session):
    result = runner.invoke(args=[*CREATE, "--domain", "bad domain!"])
    assert result.exit_code == 1
    assert result.output.count("is not a valid domain name") == 1


def test_several_bad_fields_are_each_said_once(runner, session):
    result = runner.invoke(args=["store", "create", "--name", "Loja", "--domain", "bad!", "--country", "BR",
                                 "--currency", "XXX", "--platform", "generic"])
    assert result.exit_code == 1
    assert "2 fields need fixing" in result.output
    assert result.output.count("is not a valid domain name") == 1
    assert result.output.count("TikTok accepts BRL for stores in BR, not XXX") == 1


def test_a_pasted_url_as_domain_says_what_was_kept(runner, session):
    result = runner.invoke(args=[*CREATE, "--domain", "http://shop.example.com/shop"])
    assert result.exit_code == 0, result.output
    assert "--domain http://shop.example.com/shop: kept shop.example.com" in result.stderr
    assert result.stdout.strip().splitlines()[-1]  # the key stays the last line of stdout
    quiet = runner.invoke(args=[*CREATE, "--domain", "plain.example.com"])
    assert "kept" not in quiet.stderr


def test_why_says_not_connected_to_tiktok(runner, session):
    store = make_store()
    service.push_products(session, store, [item("SKU-1")])
    result = runner.invoke(args=["catalog", "why", "--store", store.public_key, "SKU-1"])
    assert "not connected to TikTok" in result.output and "from TikTok" not in result.output


def test_store_delete_needs_the_name_and_removes_the_store(runner, session):
    store = make_store(name="Loja Velha")
    service.push_products(session, store, [item("SKU-1")])
    refused = runner.invoke(args=["store", "delete", store.public_key, "--confirm", "loja velha"])
    assert refused.exit_code == 1 and "type the store's name" in refused.output
    done = runner.invoke(args=["store", "delete", store.public_key, "--confirm", "Loja Velha"])
    assert done.exit_code == 0, done.output
    assert "Its products stay on TikTok" in done.output
    assert runner.invoke(args=["store", "show", store.public_key]).exit_code == 1
