"""Accounts: sign-up, sign-in, sign-out, sessions, CSRF, the sign-in rate limit and the `user` commands."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.auth import accounts, passwords
from server.clock import utcnow
from server.errors import JSON_PREFIXES
from server.models.user import SignInAttempt, SignInSession, User
from tests.accounts import PASSWORD, another_app, cheap_hashing, csrf_token, make_user, post_form, sign_in  # noqa: F401


def _cookie_header(response):
    return next(value for name, value in response.headers.items()
                if name == "Set-Cookie" and "session" in value.split("=", 1)[0])


def test_passwords_are_stored_as_argon2id_with_a_salt(session):
    first, second = make_user("a@example.com"), make_user("b@example.com")
    assert first.password_hash.startswith("$argon2id$")
    assert PASSWORD not in first.password_hash
    assert first.password_hash != second.password_hash


def test_default_cost_is_the_rfc_9106_low_memory_profile(app_config, tmp_path):
    from tests.database import make_test_config

    with another_app(make_test_config(app_config["TTC_DATABASE_URL"], tmp_path / "defaults")) as app:
        with app.app_context():
            assert "$m=65536,t=3,p=4$" in passwords.hash_password(PASSWORD)


def test_sign_up_signs_in_and_leads_to_adding_a_store(client, session):
    response = client.post("/signup", data={"email": " Ana@Example.com ", "password": PASSWORD,
                                            "csrf_token": csrf_token(client, "/signup")})
    assert response.status_code == 302 and response.location == "/stores/new"
    assert "Add a store" in client.get("/stores/new").get_data(as_text=True)
    assert session.execute(select(User.email)).scalar_one() == "ana@example.com"


@pytest.mark.parametrize("email, password, field, message", [
    ("not-an-email", PASSWORD, "email", "is not an email address"),
    ("ana@example.com", "short", "password", "at least 10 characters"),
    ("ana@example.com", "ana@example.com", "password", "must not be your email"),
    ("taken@example.com", PASSWORD, "email", "already exists"),
    ("ana@example.com", "password12", "password", "very common password"),
    ("ana@example.com", "Password123", "password", "very common password"),
    ("ana@example.com", "qwertyuiop", "password", "top-100 common password"),
    ("ana@example.com", "1234567890", "password", "top-100 common password"),
    ("ana@example.com", "ana@example.com!", "password", "Add another word or two"),
])
def test_sign_up_refusals_say_what_to_fix(client, session, email, password, field, message):
    make_user("taken@example.com")
    response = client.post("/signup", data={"email": email, "password": password,
                                            "csrf_token": csrf_token(client, "/signup")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in page and message in page


def test_sign_up_can_be_closed(app_config, client):
    client.application.config["TTC_ALLOW_SIGNUP"] = False
    assert client.get("/signup").status_code == 404
    assert "Create an account" not in client.get("/signin").get_data(as_text=True)


def test_sign_in_and_out(client, session):
    make_user()
    assert client.get("/stores").location.startswith("/signin")
    sign_in(client)
    assert client.get("/stores").status_code == 200
    response = post_form(client, "/signout")
    assert response.status_code == 302 and response.location == "/signin"
    assert client.get("/stores").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, session):
    make_user()
    answers = []
    for email, password in [("ana@example.com", "wrong password!"), ("nobody@example.com", PASSWORD)]:
        response = client.post("/signin", data={"email": email, "password": password,
                                                "csrf_token": csrf_token(client)})
        answers.append((response.status_code, "do not match an account" in response.get_data(as_text=True)))
    assert answers == [(422, True), (422, True)]


def test_session_cookie_is_httponly_samesite_lax_and_secure_on_https(client, session):
    make_user()
    header = _cookie_header(sign_in(client))
    assert header.startswith("__Host-ttc_session=")
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header and "Expires=" in header


def test_session_cookie_is_not_secure_on_plain_http(app_config, tmp_path):
    app_config["TTC_PUBLIC_URL"] = "http://127.0.0.1:8000"
    with another_app(app_config) as app:
        header = _cookie_header(app.test_client().get("/signin"))
    assert header.startswith("ttc_session=") and "Secure" not in header and "HttpOnly" in header


def test_signing_in_rotates_the_session(client, session):
    make_user()
    planted = csrf_token(client)  # a token (and session) that existed before signing in
    sign_in(client)
    refused = client.post("/stores/new", data={"csrf_token": planted, "name": "x"})
    assert refused.status_code == 400 and "This form has expired" in refused.get_data(as_text=True)


def test_signing_out_ends_the_session_on_the_server(client, session):
    make_user()
    sign_in(client)
    stolen = client.get_cookie("__Host-ttc_session").value
    post_form(client, "/signout")
    client.set_cookie("__Host-ttc_session", stolen)  # replaying the old cookie does not help
    assert client.get("/stores").status_code == 302


def test_session_expires(client, session):
    make_user()
    sign_in(client)
    session.execute(update(SignInSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert client.get("/stores").location.startswith("/signin")


def test_sign_in_goes_back_where_it_was_asked_for_but_never_off_site(client, session):
    make_user()
    assert client.get("/stores/new").location == "/signin?next=/stores/new"
    for target, expected in [("/stores/new", "/stores/new"), ("//evil.example/x", "/stores"),
                             ("https://evil.example/", "/stores"), ("/\\evil.example", "/stores")]:
        response = client.post("/signin", data={"email": "ana@example.com", "password": PASSWORD,
                                                "next": target, "csrf_token": csrf_token(client)})
        assert response.location == expected
        post_form(client, "/signout")


def test_every_form_refuses_a_post_without_the_csrf_token(app, client, session):
    make_user()
    sign_in(client)
    posts = [rule for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.rule.startswith(JSON_PREFIXES)]
    assert posts
    for rule in posts:
        values = {name: 1 if name.endswith("_id") else "somestorekey00" for name in rule.arguments}
        path = app.url_map.bind("localhost").build(rule.endpoint, values, method="POST")
        response = client.post(path, data={"name": "x"})
        assert response.status_code == 400, rule.rule
        assert "This form has expired" in response.get_data(as_text=True), rule.rule


def _fail_sign_in(client, email, password="wrong password!"):
    return client.post("/signin", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def test_too_many_failures_for_an_email_lock_it_with_a_clear_message(client, session):
    make_user()
    for _ in range(5):
        assert _fail_sign_in(client, "ana@example.com").status_code == 422
    locked = _fail_sign_in(client, "ana@example.com", PASSWORD)  # even the right password waits
    assert locked.status_code == 429
    assert "Too many sign-in attempts. Try again in 15 minutes." in locked.get_data(as_text=True)
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    # Once the window has passed since those failures, the account opens again.
    session.execute(update(SignInAttempt).values(attempted_at=utcnow() - timedelta(minutes=16)))
    session.commit()
    assert _fail_sign_in(client, "ana@example.com", PASSWORD).status_code == 302


def test_too_many_failures_from_one_address_lock_every_email(app_config, client, session):
    client.application.config["TTC_SIGN_IN_MAX_FAILURES_PER_IP"] = 3
    make_user()
    for n in range(3):
        _fail_sign_in(client, f"guess{n}@example.com")
    assert _fail_sign_in(client, "ana@example.com", PASSWORD).status_code == 429


def test_the_lock_holds_across_workers(app, app_config, session):
    make_user()
    for _ in range(5):
        _fail_sign_in(app.test_client(), "ana@example.com")
    with another_app(app_config) as other_worker:
        assert _fail_sign_in(other_worker.test_client(), "ana@example.com", PASSWORD).status_code == 429


def test_rate_limit_message_counts_down_from_the_oldest_failure(session):
    from server.auth import ratelimit
    from server.auth.errors import TooManyAttempts

    now = utcnow()
    for minutes_ago in (14, 10, 5, 3, 1):
        ratelimit.record_failure(session, "ana@example.com", "10.0.0.1", now=now - timedelta(minutes=minutes_ago))
    with pytest.raises(TooManyAttempts) as caught:
        ratelimit.check(session, "ana@example.com", "10.0.0.2", now=now)
    assert caught.value.message == "Too many sign-in attempts. Try again in 1 minute."
    ratelimit.check(session, "ana@example.com", "10.0.0.2", now=now + timedelta(minutes=1, seconds=1))


def test_a_successful_sign_in_clears_the_email_failures(client, session):
    make_user()
    for _ in range(4):
        _fail_sign_in(client, "ana@example.com")
    sign_in(client)
    post_form(client, "/signout")
    for _ in range(4):
        assert _fail_sign_in(client, "ana@example.com").status_code == 422


def test_change_password(client, session):
    make_user()
    sign_in(client)
    wrong = post_form(client, "/account/password", {"current_password": "nope", "new_password": "another good one"})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    weak = post_form(client, "/account/password", {"current_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 422 and "at least 10 characters" in weak.get_data(as_text=True)
    assert post_form(client, "/account/password",
                     {"current_password": PASSWORD, "new_password": "another good one"}).status_code == 302
    post_form(client, "/signout")
    sign_in(client, password="another good one")


def test_account_page_lists_recent_sign_ins(client, session):
    make_user()
    sign_in(client)
    page = client.get("/account").get_data(as_text=True)
    assert "Signed in" in page and "from 127.0.0.1" in page


def test_cli_user_create_prints_a_generated_password_once(runner, client, session):
    result = runner.invoke(args=["user", "create", "Owner@Example.com"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1]
    assert len(password) >= 20
    sign_in(client, "owner@example.com", password)


def test_cli_user_create_reads_the_password_from_stdin(runner, client, session):
    result = runner.invoke(args=["user", "create", "ana@example.com", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0 and PASSWORD not in result.output
    sign_in(client)
    again = runner.invoke(args=["user", "create", "ana@example.com", "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output
    weak = runner.invoke(args=["user", "create", "bob@example.com", "--password-stdin"], input="short\n")
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output


def test_cli_set_password(runner, client, session):
    make_user()
    result = runner.invoke(args=["user", "set-password", "ana@example.com", "--password-stdin"],
                           input="a brand new secret\n")
    assert result.exit_code == 0, result.output
    sign_in(client, password="a brand new secret")
    assert runner.invoke(args=["user", "set-password", "nobody@example.com"]).exit_code != 0


def test_authenticate_rehashes_when_the_cost_changes(app, session):
    user = make_user()
    app.config["TTC_ARGON2_TIME_COST"] = 2
    accounts.authenticate(session, "ana@example.com", PASSWORD, "10.0.0.1")
    assert "t=2" in user.password_hash
