"""The public site: the landing redirect, sign-in, the support page and the help centre."""

from django.urls import path

from soutien.web.public.views import (
    auth,
    invitations,
    kb,
    newsletter,
    privacy,
    satisfaction,
    support,
)

app_name = "public"

urlpatterns = [
    path("", auth.home, name="home"),
    path("connexion/", auth.SignInView.as_view(), name="login"),
    path("connexion/code/", auth.sign_in_code, name="login_code"),
    path("deconnexion/", auth.sign_out, name="logout"),
    path("soutien/", support.support_page, name="support"),
    # Getting in by email, and the privacy page (Law 25).
    path("invitation/<str:token>/", invitations.invitation, name="invitation"),
    path("mot-de-passe/oublie/", invitations.password_reset, name="password_reset"),
    path(
        "mot-de-passe/nouveau/<str:token>/",
        invitations.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("confidentialite/", privacy.privacy, name="privacy"),
    path("avis/<str:token>/", satisfaction.rate, name="rate"),
    # The help centre.
    path("aide/", kb.home, name="help"),
    path("aide/recherche/", kb.search, name="search"),
    path("aide/suggestions/", kb.suggestions, name="suggestions"),
    path("aide/suggestions/<int:article_id>/", kb.suggestion_open, name="suggestion_open"),
    path("aide/categories/<slug:slug>/", kb.category, name="category"),
    path("aide/articles/<slug:slug>/", kb.article, name="article"),
    path("aide/articles/<slug:slug>/avis/", kb.vote, name="vote"),
    path("aide/fichiers/<int:file_id>/", kb.article_file, name="file_bare"),
    path("aide/fichiers/<int:file_id>/<str:name>", kb.article_file, name="file"),
    path("aide/<str:kind_slug>/", kb.kind_list, name="kind"),
    # The newsletter: its archive and feeds, subscribing, and the links of every issue.
    path("infolettre/", newsletter.archive, name="newsletter"),
    path("infolettre/abonnement/", newsletter.subscribe, name="newsletter_subscribe"),
    path("infolettre/flux.atom", newsletter.feed, {"kind": "atom"}, name="newsletter_atom"),
    path("infolettre/flux.rss", newsletter.feed, {"kind": "rss"}, name="newsletter_rss"),
    path("infolettre/images/<str:key>", newsletter.image, name="newsletter_image"),
    path(
        "infolettre/confirmation/<str:token>/",
        newsletter.confirm,
        name="newsletter_confirm",
    ),
    path(
        "infolettre/desabonnement/<str:token>/",
        newsletter.unsubscribe,
        name="newsletter_unsubscribe",
    ),
    path(
        "infolettre/preferences/<str:token>/",
        newsletter.preferences,
        name="newsletter_preferences",
    ),
    path("infolettre/<str:month>/", newsletter.issue, name="newsletter_issue"),
    # RFC 8058 one-click unsubscribe (the List-Unsubscribe address): POST, no session.
    path("newsletter/unsubscribe/<str:token>", newsletter.one_click, name="newsletter_one_click"),
]
