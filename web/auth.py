"""Signing in: a session for people (login form with CSRF), bearer tokens for the API.

Everything but the sign-in page, static files, the health check and the API's
own description needs a signed-in user. The user is re-read from the registry
on each request, so disabling an account or revoking a token takes effect at once.
"""

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from web.context import registry
from web.errors import respond
from web.security import limiter

bp = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = {"auth.login", "static", "health", "api.openapi", "api.docs",
                    "api.docs_static", "api.key"}


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=63)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        address = request.remote_addr or ""
        wait = limiter().retry_after(form.username.data, address)
        if wait:  # refused before any password is checked, whether or not the user exists
            minutes = max(1, -(-wait // 60))
            page = render_template("login.html", form=form, failed=False, wait=minutes)
            return page, 429, {"Retry-After": str(wait)}
        user = registry().authenticate(form.username.data, form.password.data)
        if user is not None:
            limiter().succeeded(form.username.data)
            session.clear()
            session["username"] = user["username"]
            session.permanent = True
            return redirect(_safe_next(form.next.data) or url_for("pages.dashboard"))
        limiter().failed(form.username.data, address)
        failed = True
    elif request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 401 if failed else (422 if request.method == "POST" else 200)
    return render_template("login.html", form=form, failed=failed), status


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a signed-in user to another site."""
    if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return None


def _load_user() -> None:
    g.user = None
    if request.blueprint == "api":
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            g.user = registry().user_for_token(token.strip())
        return
    username = session.get("username")
    if username:
        g.user = registry().get_user(username)
        if g.user is None or g.user["disabled"]:
            session.clear()
            g.user = None


def _require_user():
    _load_user()
    if g.user is not None or request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.blueprint == "api":
        response, status = respond(401, "This API needs a bearer token: send "
                                        "'Authorization: Bearer <token>' (see 'registry users "
                                        "token --help').")
        response.headers["WWW-Authenticate"] = 'Bearer realm="registry"'
        return response, status
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def register(app) -> None:
    app.before_request(_require_user)
    app.register_blueprint(bp)

    @app.context_processor
    def signed_in_user():
        return {"user": g.get("user")}

    @app.get("/health")
    def health():
        return {"status": "ok"}
