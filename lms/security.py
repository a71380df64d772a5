"""Security headers on every response."""
from __future__ import annotations

# No inline script or style anywhere: htmx and our own script are files under /static.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app) -> None:
    defaults = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        defaults.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def add_headers(response):
        # A view may set its own (an author's SVG gets a stricter policy); the rest are added in
        # one pass over the response's headers, not one search per header.
        headers = response.headers
        present = {key.lower() for key in headers.keys()}
        headers.extend([(key, value) for key, value in defaults if key.lower() not in present])
        return response
